"""A minimal Standard MIDI File writer: isolated notes (or chords) in fixed time slots on one channel.

Format 0, 960 ticks per quarter at 120 bpm, so one tick is 1/1920 s. Bank select (CC0) and program change
are sent at time zero; controllers 91/93 (reverb/chorus send) are set to 0 so renders are dry.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

TICKS_PER_QUARTER = 960
TEMPO_US = 500_000  # 120 bpm
TICKS_PER_SECOND = TICKS_PER_QUARTER * 1_000_000 / TEMPO_US


@dataclass(frozen=True)
class Note:
    start_s: float
    hold_s: float
    pitch: int
    velocity: int


def _varlen(value: int) -> bytes:
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def midi_bytes(notes: list[Note], program: int, bank: int = 0, channel: int = 0) -> bytes:
    """SMF bytes playing `notes` with `program` in `bank` on `channel` (9 is the GM drum channel)."""
    if not 0 <= channel <= 15 or not 0 <= program <= 127 or not 0 <= bank <= 16383:
        raise ValueError(f"bad channel/program/bank {channel}/{program}/{bank}")
    events: list[tuple[int, int, bytes]] = []  # (tick, order, data); note-offs sort before note-ons
    if not (channel == 9 and bank == 128):  # the drum channel already plays bank 128 (the kits)
        if bank > 127:
            raise ValueError(f"bank {bank} can only be played on the drum channel 9")
        events.append((0, 0, bytes([0xB0 | channel, 0, bank])))
        events.append((0, 0, bytes([0xB0 | channel, 32, 0])))
    events.append((0, 0, bytes([0xC0 | channel, program])))
    events.append((0, 0, bytes([0xB0 | channel, 91, 0])))
    events.append((0, 0, bytes([0xB0 | channel, 93, 0])))
    for note in notes:
        if not (0 <= note.pitch <= 127 and 1 <= note.velocity <= 127 and note.hold_s > 0):
            raise ValueError(f"bad note {note}")
        on = round(note.start_s * TICKS_PER_SECOND)
        off = round((note.start_s + note.hold_s) * TICKS_PER_SECOND)
        events.append((on, 2, bytes([0x90 | channel, note.pitch, note.velocity])))
        events.append((off, 1, bytes([0x80 | channel, note.pitch, 0])))
    events.sort(key=lambda e: (e[0], e[1]))
    track = bytearray(b"\x00\xFF\x51\x03" + TEMPO_US.to_bytes(3, "big"))
    now = 0
    for tick, _, data in events:
        track += _varlen(tick - now) + data
        now = tick
    track += b"\x00\xFF\x2F\x00"
    header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, TICKS_PER_QUARTER)
    return header + b"MTrk" + struct.pack(">I", len(track)) + bytes(track)


def write_midi(path, notes: list[Note], program: int, bank: int = 0, channel: int = 0) -> None:
    with open(path, "wb") as handle:
        handle.write(midi_bytes(notes, program, bank, channel))
