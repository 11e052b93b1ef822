"""The kinds of case a posyandu records per SPM field, and which kinds are sensitive.

Sensitive kinds (domestic violence, drugs, child protection) are never shown to the public, and to pembina only
as counts; the person's desa is not stored for them. A kind typed by hand (imports carry free text) is sensitive
when it names one of the sensitive subjects.
"""

from __future__ import annotations

CASE_TYPES: dict[str, tuple[str, ...]] = {
    "pendidikan": ("anak putus sekolah", "anak tidak sekolah", "buta aksara", "anak tidak punya akta kelahiran",
                   "keluhan layanan PAUD"),
    "kesehatan": ("balita gizi kurang", "ibu hamil risiko tinggi", "balita tidak imunisasi", "stunting",
                  "lansia tidak terpantau", "rujukan penyakit tidak menular"),
    "pekerjaan_umum": ("sanitasi buruk", "air bersih", "jalan rusak", "saluran tersumbat", "MCK rusak"),
    "perumahan_rakyat": ("RTLH", "rumah rawan roboh", "banjir lingkungan"),
    "trantibumlinmas": ("kebakaran", "KDRT", "narkoba", "perlindungan anak", "bencana", "premanisme"),
    "sosial": ("disabilitas", "lansia terlantar", "anak terlantar", "korban bencana", "tuna sosial"),
}
SENSITIVE_WORDS: tuple[str, ...] = ("kdrt", "kekerasan", "narkoba", "napza", "perlindungan anak",
                                    "kekerasan anak", "pelecehan")


def is_sensitive(case_type: str | None) -> bool:
    """Whether a kind of case may only be seen by those who follow it (see the module note)."""
    text = (case_type or "").lower()
    return any(word in text for word in SENSITIVE_WORDS)
