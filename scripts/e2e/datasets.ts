import { execa } from "execa";

// Real datasets nobody here wrote, shipped inside PyPI packages, so no network is needed at run
// time beyond the package index: palmerpenguins (text categories, missing values, three
// species), scikit-learn's breast_cancer (30 correlated numeric features) and wine, and
// vega_datasets' cars (a dataset the issue does not name, with free text and gaps).
const exportData = `
import sys, palmerpenguins
from sklearn.datasets import load_breast_cancer, load_wine
from vega_datasets import data as vega
out = sys.argv[1]
penguins = palmerpenguins.load_penguins()
penguins.to_csv(f"{out}/penguins.csv", index=False)
penguins.to_parquet(f"{out}/penguins.parquet")
load_breast_cancer(as_frame=True).frame.to_csv(f"{out}/breast_cancer.csv", index=False)
load_wine(as_frame=True).frame.to_csv(f"{out}/wine.csv", index=False)
vega.cars().to_csv(f"{out}/cars.csv", index=False)
`;

/** Writes penguins.{csv,parquet}, breast_cancer.csv, wine.csv and cars.csv into `dir`. */
export async function exportDatasets(dir: string): Promise<void> {
  const packages = ["palmerpenguins", "vega_datasets", "scikit-learn", "pandas", "pyarrow"];
  await execa("uv", [
    "run",
    "--no-project",
    "--quiet",
    ...packages.flatMap((p) => ["--with", p]),
    "python",
    "-c",
    exportData,
    dir,
  ]);
}
