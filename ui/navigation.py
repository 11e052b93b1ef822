"""The page registry, declared once: the dashboard builds its navigation from it and the smoke tests walk it."""

from __future__ import annotations

from typing import NamedTuple


class PageEntry(NamedTuple):
    path: str
    title_key: str
    icon: str
    group_key: str


PAGES: tuple[PageEntry, ...] = (
    PageEntry("pages/beranda.py", "nav_beranda", ":material/home:", "nav_results"),
    PageEntry("pages/peringkat.py", "nav_peringkat", ":material/leaderboard:", "nav_results"),
    PageEntry("pages/profil.py", "nav_profil", ":material/search:", "nav_results"),
    PageEntry("pages/bandingkan.py", "nav_bandingkan", ":material/compare_arrows:", "nav_results"),
    PageEntry("pages/peta.py", "nav_peta", ":material/map:", "nav_results"),
    PageEntry("pages/praktik_baik.py", "nav_praktik_baik", ":material/eco:", "nav_results"),
    PageEntry("pages/juri.py", "nav_juri", ":material/gavel:", "nav_results"),
    PageEntry("pages/umpan_balik.py", "nav_umpan_balik", ":material/rate_review:", "nav_results"),
    PageEntry("pages/masuk.py", "nav_masuk", ":material/login:", "nav_judging"),
    PageEntry("pages/penilaian.py", "nav_penilaian", ":material/edit_note:", "nav_judging"),
    PageEntry("pages/panitia.py", "nav_panitia", ":material/folder_managed:", "nav_admin"),
    PageEntry("pages/lomba.py", "nav_lomba", ":material/emoji_events:", "nav_admin"),
    PageEntry("pages/peserta.py", "nav_peserta", ":material/groups:", "nav_admin"),
    PageEntry("pages/instrumen.py", "nav_instrumen", ":material/checklist:", "nav_admin"),
    PageEntry("pages/akun.py", "nav_akun", ":material/manage_accounts:", "nav_admin"),
    PageEntry("pages/pendataan.py", "nav_pendataan", ":material/fact_check:", "nav_admin"),
    PageEntry("pages/formulir_lapangan.py", "nav_formulir_lapangan", ":material/assignment:", "nav_admin"),
    PageEntry("pages/pertukaran_data.py", "nav_data", ":material/upload_file:", "nav_admin"),
    PageEntry("pages/hasil_terdahulu.py", "nav_hasil_terdahulu", ":material/history_edu:", "nav_admin"),
    PageEntry("pages/jejak_audit.py", "nav_audit", ":material/history:", "nav_admin"),
)
