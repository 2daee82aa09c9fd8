"""Read the preset headers (name, bank, program) of a SoundFont 2 file (.sf2 or .sf3)."""
from __future__ import annotations

import struct
from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    name: str
    bank: int
    program: int


def read_presets(path) -> list[Preset]:
    """All presets in the file's `pdta/phdr` chunk, without the terminal 'EOP' record."""
    with open(path, "rb") as handle:
        riff, size, kind = struct.unpack("<4sI4s", handle.read(12))
        if riff != b"RIFF" or kind != b"sfbk":
            raise ValueError(f"{path} is not a SoundFont (RIFF sfbk) file")
        end = 8 + size
        while handle.tell() < end:
            chunk_id, chunk_size = struct.unpack("<4sI", handle.read(8))
            if chunk_id == b"LIST":
                list_kind = handle.read(4)
                if list_kind == b"pdta":
                    return _read_pdta(handle, chunk_size - 4)
                handle.seek(chunk_size - 4 + (chunk_size & 1), 1)
            else:
                handle.seek(chunk_size + (chunk_size & 1), 1)
    raise ValueError(f"{path} has no pdta chunk")


def _read_pdta(handle, size: int) -> list[Preset]:
    stop = handle.tell() + size
    while handle.tell() < stop:
        chunk_id, chunk_size = struct.unpack("<4sI", handle.read(8))
        data = handle.read(chunk_size)
        if chunk_id == b"phdr":
            presets = []
            for offset in range(0, len(data) - 38 + 1, 38):
                name, program, bank = struct.unpack_from("<20sHH", data, offset)
                label = name.split(b"\0", 1)[0].decode("latin-1").strip()
                if label == "EOP":
                    break
                presets.append(Preset(label, bank, program))
            return presets
    raise ValueError("pdta chunk has no phdr")
