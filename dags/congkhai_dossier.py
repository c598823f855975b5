"""
### Hồ sơ công khai của năm / The year's disclosure dossier

**When**: by hand (*Trigger* with a commune and a year); January's DAG also makes the previous
year's dossier, and `congkhai replay` makes it at the end of the replayed year.

**Does**: merges every PDF of the year into one PDF/A-2b with a bookmark per section of the seed's
dossier (1 yearly plan … 7 reports to the People's Council, then the quarterly lists),
chronological inside each section, with page labels and Vietnamese metadata; filed in
`<YYYY>/00_ca-nam/` as a new version when its content changed.
"""

from __future__ import annotations

from airflow.sdk import Param, dag, get_current_context

from congkhai.airflow.dagkit import CONVERTER_POOL, DEFAULT_ARGS, START, task


@dag(
    dag_id="congkhai_dossier",
    schedule=None,
    start_date=START,
    catchup=False,
    tags=["congkhai", "action"],
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    params={
        "commune": Param("kep", type="string", title="Mã xã / commune"),
        "year": Param(2024, type="integer", minimum=2000, maximum=2100, title="Năm / year"),
    },
)
def congkhai_dossier():
    @task(pool=CONVERTER_POOL)
    def assemble_dossier() -> dict:
        """Merge the year's PDFs into the dossier and file it."""
        from congkhai.pipeline.runner import dossier_for

        p = get_current_context()["params"]
        result = dossier_for(p["commune"], int(p["year"]))
        print(f"== {p['commune']} {p['year']}: {result}")
        return result

    assemble_dossier()


congkhai_dossier()
