#!/usr/bin/env python3
"""Turn a text file into a C source defining `const char NAME[]` and `const size_t NAME_len`.
Used by meson to build data files (data/port.rules) into the program: usage embed_text.py IN OUT NAME."""
import sys

def main():
    src, out, name = sys.argv[1], sys.argv[2], sys.argv[3]
    data = open(src, 'rb').read()
    lines = [f'/* generated from {src.split("/")[-1]} by tools/embed_text.py: do not edit */',
             '#include <stddef.h>', f'const char {name}[] = {{']
    for i in range(0, len(data), 16):
        lines.append('\t' + ', '.join(f'0x{b:02x}' for b in data[i:i + 16]) + ',')
    lines.append('\t0x00\n};')
    lines.append(f'const size_t {name}_len = {len(data)};')
    open(out, 'w').write('\n'.join(lines) + '\n')

if __name__ == '__main__':
    main()
