import { parse } from 'csv-parse';
import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
const opts = { bom: true, delimiter: ',', relax_column_count: true, relax_quotes: true, record_delimiter: ['\r\n', '\n', '\r'], skip_empty_lines: false, max_record_size: 2 * 1024 * 1024 + 1024, skip_records_with_error: true };
const mode = process.argv[2];
const t = performance.now();
let n = 0;
if (mode === 'writable') {
  await pipeline(createReadStream('/tmp/1m.csv'), parse(opts), new Writable({ objectMode: true, highWaterMark: 256, write(r, e, cb) { n++; cb(); } }));
} else if (mode === 'on_record') {
  await pipeline(createReadStream('/tmp/1m.csv'), parse({ ...opts, on_record: (r) => { n++; return null; } }), new Writable({ objectMode: true, write(r, e, cb) { cb(); } }));
} else {
  for await (const _ of createReadStream('/tmp/1m.csv').pipe(parse(opts))) n++;
}
console.log(mode, n, ((performance.now() - t) / 1000).toFixed(2), 's', (process.threadCpuUsage().user / 1e6).toFixed(2));
