"""Standalone release archives from the built wheels, with SHA-256 checksums.

A wheel built with maturin's `bindings = "bin"` holds the binary under
`<name>.data/scripts/`. Each archive packs that same binary (so an archive and the wheel of
its platform run the same build) with the licences and the README:

    invokeai-lint-<version>-<target>.tar.gz   (.zip for Windows)
    invokeai-lint-<version>-<target>.tar.gz.sha256

    python archives.py WHEEL_DIR OUT_DIR

`.ci/run` runs it on the wheel CI builds; the release workflow on every wheel.
"""

import hashlib
import io
import os
import re
import sys
import tarfile
import zipfile

# Wheel platform tag (its architecture and kind) -> Rust target triple.
TARGETS = [
    (r"manylinux.*_x86_64", "x86_64-unknown-linux-gnu"),
    (r"manylinux.*_aarch64", "aarch64-unknown-linux-gnu"),
    (r"musllinux.*_x86_64", "x86_64-unknown-linux-musl"),
    (r"musllinux.*_aarch64", "aarch64-unknown-linux-musl"),
    (r"macosx.*_x86_64", "x86_64-apple-darwin"),
    (r"macosx.*_arm64", "aarch64-apple-darwin"),
    (r"win_amd64", "x86_64-pc-windows-msvc"),
    (r"win_arm64", "aarch64-pc-windows-msvc"),
    # A wheel built on this machine without manylinux auditing (`maturin build` in CI).
    (r"linux_x86_64", "x86_64-unknown-linux-gnu"),
]
EXTRA_FILES = ["LICENSE-MIT", "LICENSE-APACHE", "README.md"]


def target_of(wheel_name):
    platform = wheel_name[: -len(".whl")].split("-")[-1]
    for pattern, target in TARGETS:
        if re.search(pattern, platform):
            return target
    raise SystemExit(f"no target known for the wheel {wheel_name}")


def binary_of(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = [n for n in z.namelist() if re.search(r"\.data/scripts/invokeai-lint(\.exe)?$", n)]
        if len(names) != 1:
            raise SystemExit(f"{wheel}: expected one invokeai-lint binary, found {names}")
        return os.path.basename(names[0]), z.read(names[0])


def write_archive(path, folder, files):
    """files: (name, bytes, executable). Entries get fixed times and owners."""
    if path.endswith(".zip"):
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data, executable in files:
                info = zipfile.ZipInfo(f"{folder}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = (0o755 if executable else 0o644) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, data)
    else:
        with tarfile.open(path, "w:gz") as t:
            for name, data, executable in files:
                info = tarfile.TarInfo(f"{folder}/{name}")
                info.size = len(data)
                info.mode = 0o755 if executable else 0o644
                info.uname = info.gname = "root"
                t.addfile(info, io.BytesIO(data))


def main(wheel_dir, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    extras = []
    for name in EXTRA_FILES:
        with open(os.path.join(root, name), "rb") as f:
            extras.append((name, f.read(), False))
    wheels = sorted(n for n in os.listdir(wheel_dir) if n.endswith(".whl"))
    if not wheels:
        raise SystemExit(f"no wheels in {wheel_dir}")
    made = []
    for wheel in wheels:
        version = wheel.split("-")[1]
        target = target_of(wheel)
        exe_name, exe = binary_of(os.path.join(wheel_dir, wheel))
        folder = f"invokeai-lint-{version}-{target}"
        ext = ".zip" if exe_name.endswith(".exe") else ".tar.gz"
        archive = os.path.join(out_dir, folder + ext)
        if archive in made:
            raise SystemExit(f"two wheels for {target}: {wheels}")
        write_archive(archive, folder, [(exe_name, exe, True)] + extras)
        with open(archive, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        # The format `sha256sum -c` reads.
        with open(archive + ".sha256", "w", encoding="ascii", newline="\n") as f:
            f.write(f"{digest}  {os.path.basename(archive)}\n")
        made.append(archive)
        print(f"{archive}  {digest}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
