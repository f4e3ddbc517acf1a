"""The council's and partners' own data: neighbourhood models and datasets uploaded as CSV.

One concern per module, each importing only modules above it in this list:

* `formats`: the two dataset formats (columns, kinds, limits) and how names become ids;
* `problems`: why a file was rejected, each problem with its row and column;
* `cells`: one cell's format (a code, period, measure, question or count);
* `reading`: bytes to text (one decoder for every upload) and a dataset CSV to checked records;
* `geography`: codes checked against the published geography and placed in LSOAs 2021;
* `policy`: where the disclosure policy is configured (never in the app);
* `audit`: the audit log's entries (who did what, when, to which file) and who may change what;
* `duckdb_store`: the user database in DuckDB: its schema, migrations, views and statements;
* `storage`: the small interface the rest asks of the store (`UserStore`, `store_for`);
* `disclosure`: cell key perturbation, small-count suppression and the policy in force;
* `display`: user text as other pages, charts and spreadsheets will show it;
* `catalogue`: a dataset's indicators, their ids and their catalogue rows;
* `aggregation`: stored rows to protected indicator values for every model of the borough;
* `refresh`: re-aggregation after a change (a model, the public build, the threshold);
* `checks`: consistency checks across a dataset's rows;
* `models`: a council's own neighbourhood model: validate, save, delete;
* `datasets`: partner datasets: validate, save, delete, read back.
"""
