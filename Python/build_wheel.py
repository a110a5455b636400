"""Writes the ckpt-tools wheel: the Python package in this folder with the self-contained
multi-call executable in ``ckpt_tools/bin``. Nothing is compiled at install time.

    python3 build_wheel.py EXECUTABLE VERSION PLATFORM_TAG OUTPUT_DIR

PLATFORM_TAG is the wheel's platform (``manylinux_2_36_x86_64``: the newest glibc symbol version
the executable needs, and its architecture). Prints the wheel's path.
"""

import base64
import hashlib
import os
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent / "ckpt_tools"
TOOLS = ("ckptverify", "ckptdiff", "ckptdelta")


def metadata(version: str) -> str:
    return "\n".join([
        "Metadata-Version: 2.1",
        "Name: ckpt-tools",
        f"Version: {version}",
        "Summary: Integrity and delta tools for TensorFlow checkpoints: verify, diff, archive as compressed deltas",
        "Requires-Python: >=3.9",
        "Requires-Dist: numpy",
        "",
        (Path(__file__).resolve().parent / "README.md").read_text(),
    ])


def main(executable: str, version: str, platform_tag: str, output_dir: str) -> None:
    dist_info = f"ckpt_tools-{version}.dist-info"
    files: list[tuple[str, bytes, int]] = [
        (f"ckpt_tools/{source.name}", source.read_bytes(), 0o644) for source in sorted(PACKAGE.glob("*.py"))
    ]
    files.append(("ckpt_tools/bin/ckpt-tools", Path(executable).read_bytes(), 0o755))
    files.append((f"{dist_info}/METADATA", metadata(version).encode(), 0o644))
    wheel = f"Wheel-Version: 1.0\nGenerator: ckpt-tools build_wheel.py\nRoot-Is-Purelib: false\nTag: py3-none-{platform_tag}\n"
    files.append((f"{dist_info}/WHEEL", wheel.encode(), 0o644))
    entry_points = "[console_scripts]\n" + "".join(f"{tool} = ckpt_tools._tools:{tool}\n" for tool in TOOLS)
    files.append((f"{dist_info}/entry_points.txt", entry_points.encode(), 0o644))
    record = "".join(f"{name},sha256={digest(data)},{len(data)}\n" for name, data, _ in files) + f"{dist_info}/RECORD,,\n"
    files.append((f"{dist_info}/RECORD", record.encode(), 0o644))

    name = f"ckpt_tools-{version}-py3-none-{platform_tag}.whl"
    descriptor, temporary = tempfile.mkstemp(dir=output_dir, prefix=f".{name}.")
    os.close(descriptor)
    os.chmod(temporary, 0o644)
    try:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            for path, data, mode in files:
                entry = zipfile.ZipInfo(path, date_time=(2026, 1, 1, 0, 0, 0))
                entry.external_attr = (0o100000 | mode) << 16
                entry.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(entry, data)
        os.replace(temporary, os.path.join(output_dir, name))
    except BaseException:
        os.unlink(temporary)
        raise
    print(os.path.join(output_dir, name))


def digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
