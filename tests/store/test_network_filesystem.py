"""SQLite on a network share is refused (README: "SQLite on a shared folder"), judged from a
mount table shaped like /proc/mounts, with the mount points made real under a temporary
folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from warroom.domain.errors import WarroomError
from warroom.store.database import filesystem_type, refuse_network_filesystem


@pytest.fixture
def mounts(tmp_path: Path) -> tuple[Path, Path]:
    """A mount table and the root its mount points live under."""
    root = tmp_path / "mnt"
    for folder in ("nfs", "nfs/local", "smb", "ssh", "auto", "with space", "disk"):
        (root / folder).mkdir(parents=True)
    table = tmp_path / "mounts"
    spaced = str(root / "with space").replace(" ", "\\040")  # as /proc/mounts writes it
    table.write_text(
        "\n".join(
            [
                "/dev/sda1 / ext4 rw,relatime 0 0",
                "proc /proc proc rw 0 0",
                f"fileserver:/export/team {root}/nfs nfs4 rw,vers=4.2 0 0",
                f"/dev/sdb1 {root}/nfs/local ext4 rw 0 0",
                f"//nas/ops {root}/smb cifs rw,vers=3.0 0 0",
                f"alice@bastion:/srv {root}/ssh fuse.sshfs rw,user_id=1000 0 0",
                f"systemd-1 {root}/auto autofs rw,fd=42 0 0",
                f"fileserver:/export/auto {root}/auto nfs rw 0 0",
                f"//nas/with\\040space {spaced} smb3 rw 0 0",
                f"/dev/sdc1 {root}/disk xfs rw 0 0",
                "",
            ]
        )
    )
    return table, root


@pytest.mark.parametrize(
    ("where", "fstype"),
    [
        ("nfs/warroom.db", "nfs4"),
        ("nfs/team/deeper/warroom.db", "nfs4"),  # folders that do not exist yet
        ("smb/warroom.db", "cifs"),
        ("ssh/warroom.db", "fuse.sshfs"),
        ("auto/warroom.db", "nfs"),  # the automounter's nfs, listed after its autofs
        ("with space/warroom.db", "smb3"),
    ],
)
def test_sqlite_on_a_network_share_is_refused(
    mounts: tuple[Path, Path], where: str, fstype: str
) -> None:
    table, root = mounts
    path = root / where
    assert filesystem_type(path, table) == fstype
    with pytest.raises(WarroomError) as refused:
        refuse_network_filesystem(path, table)
    message = str(refused.value)
    assert f"is on a network filesystem ({fstype})" in message
    assert "PostgreSQL" in message


@pytest.mark.parametrize(
    ("where", "fstype"),
    [("disk/warroom.db", "xfs"), ("nfs/local/warroom.db", "ext4"), ("warroom.db", "ext4")],
)
def test_sqlite_on_a_local_disk_is_accepted(
    mounts: tuple[Path, Path], where: str, fstype: str
) -> None:
    table, root = mounts
    assert filesystem_type(root / where, table) == fstype
    refuse_network_filesystem(root / where, table)  # no complaint


def test_without_a_mount_table_nothing_is_refused(tmp_path: Path) -> None:
    assert filesystem_type(tmp_path / "warroom.db", tmp_path / "no-such-mounts") is None
    refuse_network_filesystem(tmp_path / "warroom.db", tmp_path / "no-such-mounts")
