"""The demo's words: best practices per SPM field for the strongest posyandu, and six-field service records.

Practices describe concrete things a six-field posyandu does (after Permendagri 13/2024); service records are
the pendataan: complaints and cases recorded per field, then verified, referred or resolved.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import polars as pl

from demo.people import rng_for
from scoring.fields import SPM_FIELDS

# (title, description) per field; {desa} is filled with the posyandu's desa name.
PRACTICES: dict[str, tuple[tuple[str, str], ...]] = {
    "pendidikan": (
        ("Pojok baca setiap hari layanan", "Pojok baca di posyandu dibuka tiap hari layanan; buku cerita anak dan buku "
         "KIA dipinjamkan ke rumah dan dicatat di buku pinjaman. Kader bidang pendidikan membacakan cerita untuk balita "
         "selama ibu menunggu penimbangan."),
        ("Pendataan anak putus sekolah", "Kader mendata anak usia sekolah yang tidak bersekolah di Desa {desa}, "
         "memverifikasinya bersama pemerintah desa tiap bulan, dan meneruskan daftar ke Dinas Pendidikan untuk "
         "program kejar paket."),
        ("Penyuluhan kesehatan di sekolah", "Bersama guru SD dan bidan desa, kader memberi penyuluhan cuci tangan, gizi "
         "seimbang dan kesehatan gigi di sekolah dasar setiap tiga bulan, dengan daftar hadir dan foto kegiatan."),
        ("Kelas orang tua PAUD", "Posyandu dan PAUD desa mengadakan kelas pengasuhan bulanan untuk orang tua balita; "
         "materi stimulasi tumbuh kembang dicatat di buku kegiatan."),
    ),
    "kesehatan": (
        ("Layanan siklus hidup dalam satu hari", "Satu hari layanan melayani ibu hamil, bayi, balita, remaja, usia "
         "produktif dan lansia dengan meja terpisah; antrean diatur kader dan hasil dicatat di SIP."),
        ("Kunjungan rumah sasaran yang tidak datang", "Balita yang tidak hadir penimbangan dikunjungi kader dalam "
         "seminggu; hasil kunjungan dicatat dan dilaporkan ke bidan desa."),
        ("Penjemputan ibu hamil risiko tinggi", "Kader menjemput ibu hamil risiko tinggi dengan ambulans desa untuk "
         "pemeriksaan di Puskesmas; rujukan dicatat lengkap dengan tanggal dan hasilnya."),
        ("PMT lokal berbahan pangan desa", "Pemberian makanan tambahan memakai bahan pangan lokal Desa {desa} yang "
         "dimasak bergiliran oleh kader; balita gizi kurang dipantau tiap dua minggu."),
    ),
    "pekerjaan_umum": (
        ("Pencatatan pengaduan air bersih", "Keluhan warga tentang air bersih dan sumur tercemar dicatat di buku "
         "pengaduan, diverifikasi bersama kepala dusun dan diteruskan ke Dinas PUPR."),
        ("Peta jalan rusak dan saluran tersumbat", "Kader bidang pekerjaan umum menandai jalan rusak dan saluran "
         "tersumbat di peta desa, lengkap dengan foto, untuk bahan Musdes."),
        ("Gerakan jamban sehat", "Posyandu mendata rumah tanpa jamban dan bersama pemerintah desa mengusulkan "
         "pembangunan MCK dan jamban sehat melalui Dana Desa."),
    ),
    "perumahan_rakyat": (
        ("Pendataan rumah tidak layak huni", "Setiap RTLH di Desa {desa} didata dengan foto, ukuran dan kondisi atap, "
         "lantai dan dinding, lalu diverifikasi desa dan diusulkan ke Dinas Perkim."),
        ("Pendampingan bedah rumah", "Kader mendampingi keluarga penerima bantuan bedah rumah dari pendataan sampai "
         "serah terima, dan mencatat rumah yang sudah selesai diperbaiki."),
        ("Pencatatan keluhan permukiman", "Keluhan warga tentang banjir lingkungan dan rumah rawan roboh dicatat dan "
         "dibahas dalam rapat bulanan bersama perangkat desa."),
    ),
    "trantibumlinmas": (
        ("Pencatatan kejadian bencana", "Kejadian banjir, longsor dan kebakaran dicatat kader bersama linmas desa dan "
         "dilaporkan ke BPBD pada hari yang sama."),
        ("Ruang aman pengaduan KDRT", "Posyandu menyediakan ruang konsultasi tertutup; laporan KDRT dicatat rahasia dan "
         "dirujuk ke unit perlindungan perempuan dan anak."),
        ("Penyuluhan bahaya narkoba", "Kader dan Bhabinkamtibmas memberi penyuluhan bahaya narkoba untuk remaja setiap "
         "triwulan, dengan daftar hadir dan materi."),
    ),
    "sosial": (
        ("Pendataan penyandang disabilitas", "Penyandang disabilitas di Desa {desa} didata menurut jenis kebutuhan dan "
         "dikunjungi rutin; kebutuhan alat bantu diusulkan ke Dinas Sosial."),
        ("Kunjungan lansia terlantar", "Kader bidang sosial mengunjungi lansia yang tinggal sendiri setiap bulan, "
         "memeriksa kebutuhan makan dan obat, dan menghubungkan mereka dengan program bantuan."),
        ("Data terpadu korban bencana", "Setelah bencana, posyandu mendata korban menurut usia dan kebutuhan khusus "
         "agar bantuan Dinas Sosial tepat sasaran."),
    ),
}

CASE_TYPES: dict[str, tuple[str, ...]] = {
    "pendidikan": ("anak putus sekolah", "anak tidak sekolah", "buta aksara", "anak tidak punya akta kelahiran"),
    "kesehatan": ("balita gizi kurang", "ibu hamil risiko tinggi", "balita tidak imunisasi", "stunting",
                  "lansia tidak terpantau"),
    "pekerjaan_umum": ("sanitasi buruk", "air bersih", "jalan rusak", "saluran tersumbat", "MCK rusak"),
    "perumahan_rakyat": ("RTLH", "rumah rawan roboh", "banjir lingkungan"),
    "trantibumlinmas": ("kebakaran", "KDRT", "narkoba", "bencana", "premanisme"),
    "sosial": ("disabilitas", "lansia terlantar", "anak terlantar", "korban bencana", "tuna sosial"),
}
_FIELD_SHARE = np.array([0.14, 0.26, 0.18, 0.14, 0.12, 0.16])
STATUSES = ("recorded", "verified", "referred", "resolved")


def make_practices(seed: int, strong: pl.DataFrame, desa_names: dict[str, str]) -> pl.DataFrame:
    """1–3 practices per SPM field for each strong posyandu (columns posyandu_id, desa_code, year)."""
    rng = rng_for(seed, "practices")
    rows = []
    for pid, desa, year in strong.sort("posyandu_id").iter_rows():
        for field in SPM_FIELDS:
            options = PRACTICES[field]
            n = int(rng.integers(1, 4))
            for k, i in enumerate(sorted(rng.choice(len(options), size=min(n, len(options)), replace=False))):
                title, text = options[i]
                rows.append({"practice_id": f"PR-{pid}-{field}-{k + 1}", "posyandu_id": pid, "spm_field": field,
                             "title": title, "description": text.format(desa=desa_names.get(desa, desa)),
                             "photo_path": None, "year": int(year)})
    return pl.DataFrame(rows, schema={"practice_id": pl.String, "posyandu_id": pl.String, "spm_field": pl.String,
                                      "title": pl.String, "description": pl.String, "photo_path": pl.String,
                                      "year": pl.Int32})


def make_service_records(seed: int, posyandu: pl.DataFrame, kabupaten: list[str], scale: float = 1.0) -> pl.DataFrame:
    """A few hundred six-field service records per kabupaten, dated January 2025 to October 2026."""
    rng = rng_for(seed, "service_records")
    first, last = date(2025, 1, 1), date(2026, 10, 31)
    span = (last - first).days
    rows = []
    for kab in kabupaten:
        pids = posyandu.filter(pl.col("desa_code").str.starts_with(kab + "."))["posyandu_id"].sort().to_list()
        n = max(1, int(rng.integers(250, 450) * scale))
        fields = rng.choice(len(SPM_FIELDS), size=n, p=_FIELD_SHARE)
        days = np.sort(rng.integers(0, span + 1, size=n))
        who = rng.integers(0, len(pids), size=n)
        for i in range(n):
            field = SPM_FIELDS[fields[i]]
            cases = CASE_TYPES[field]
            on = first + timedelta(days=int(days[i]))
            # Older records have had time to move on: resolved is likelier the earlier the date.
            age = 1 - days[i] / span
            p = np.array([0.35 - 0.25 * age, 0.30, 0.20, 0.15 + 0.25 * age])
            rows.append({"record_id": f"SR-{kab}-{i + 1:04d}", "posyandu_id": pids[who[i]], "spm_field": field,
                         "case_type": cases[rng.integers(len(cases))], "recorded_on": on,
                         "status": STATUSES[rng.choice(4, p=p / p.sum())]})
    return pl.DataFrame(rows, schema={"record_id": pl.String, "posyandu_id": pl.String, "spm_field": pl.String,
                                      "case_type": pl.String, "recorded_on": pl.Date, "status": pl.String})


_OPD = {"pendidikan": "Dinas Pendidikan", "kesehatan": "Puskesmas", "pekerjaan_umum": "Dinas PUPR",
        "perumahan_rakyat": "Dinas Perkim", "trantibumlinmas": "Satpol PP", "sosial": "Dinas Sosial"}


def make_service_record_steps(records: pl.DataFrame) -> pl.DataFrame:
    """Each demo case's history up to its status: recorded, then verified, referred, resolved as far as it got,
    a week or two apart (never after the end of the demo period, 31 October 2026)."""
    last = date(2026, 10, 31)
    rows = []
    for r in records.iter_rows(named=True):
        reached = STATUSES.index(r["status"])
        on = r["recorded_on"]
        for k in range(reached + 1):
            if k:
                on = min(last, on + timedelta(days=7 + int(r["record_id"][-2:]) % 8 + 3 * k))
            rows.append({"record_id": r["record_id"], "step_no": k + 1, "status": STATUSES[k], "on_date": on,
                         "actor": "impor", "opd": _OPD[r["spm_field"]] if STATUSES[k] == "referred" else None,
                         "written_at": datetime(on.year, on.month, on.day, 16, 0)})   # same seed, same store
    return pl.DataFrame(rows, schema={"record_id": pl.String, "step_no": pl.Int32, "status": pl.String,
                                      "on_date": pl.Date, "actor": pl.String, "opd": pl.String,
                                      "written_at": pl.Datetime("us")})
