#!/system/bin/sh
# unifw universal probe (docs/universal.md "The probe"). PLACEHOLDER: the helper PROBE writes it.
exit 0
