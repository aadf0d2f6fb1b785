"""Version of nengo-lmu, and the nengo versions it supports."""

name = "nengo-lmu"
version_info = (0, 1, 0)
dev = 0
version = ".".join(str(v) for v in version_info) + (
    f".dev{dev}" if dev is not None else ""
)

# nengo-dl 3.6 and nengo-loihi 1.1 both support nengo 3.2, and nothing newer
minimum_nengo_version = (3, 2, 0)
latest_nengo_version = (3, 2, 99)
