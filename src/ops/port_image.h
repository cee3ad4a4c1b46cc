/* What port_fit.c and port_system.c share about image files (private to src/ops): which kind an image is,
 * how big it expands, and temp files that become the output by rename or vanish. */
#ifndef UNIFW_OPS_PORT_IMAGE_H
#define UNIFW_OPS_PORT_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "unifw/error.h"

struct port_image_info {
	bool sparse;
	uint32_t sparse_block_size;  /* the sparse header's block size (sparse only) */
	uint64_t file_size;          /* bytes of the file on disk */
	uint64_t expanded;           /* bytes it fills on the partition (the sparse header's blocks x size, or file_size) */
};

/* Sparse (by its header, checked) or raw. */
int port_image_probe(const char *path, struct port_image_info *info, struct unifw_error *err);

/* A byte-identical copy of in_path at out_path, written atomically (blocks of zeros become holes). */
int port_copy_file(const char *in_path, const char *out_path, struct unifw_error *err);

/* unifw_port_fit_image with the name the report and errors give the input (an intermediate file carries the
 * name of the image it was made from). */
struct unifw_port_report;
int port_fit_named(const char *in_path, const char *name, uint64_t partition_size, const char *out_path,
		   const char *partition, struct unifw_port_report *rep, struct unifw_error *err);
/* The file name of a path. */
const char *port_base_name(const char *path);

#endif
