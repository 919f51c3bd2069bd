/** `exo-passthru url` in-process: input sources, output targets, --json, exit codes, usage errors, one-off form. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.ts';

const CSV = [
  'customer_id,name,phone,amount,state',
  'C1,Asha Rao,9876543210,"₹1,500",Karnataka',
  'C2,रवि,09876543211,200,UP',
  '',
].join('\n');
const WITH_REJECT = `${CSV}C3,Bad,12345,1,UP\nC4,Late,9876543214,5,UP\n`;

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exo-url-cli-'));
  await writeFile(join(dir, 'ok.csv'), CSV);
  await writeFile(join(dir, 'reject.csv'), WITH_REJECT);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lines = (text: string) => text.trim().split('\n');

describe('url --csv: input and output', () => {
  it('reads stdin with --csv - and writes csv to stdout; summary on stderr', async () => {
    const res = await runCli(['url', '--csv', '-', '--base-url', 'https://bot.example.com'], { stdin: CSV });
    assert.equal(res.code, 0, res.stderr);
    const [header, ...rows] = lines(res.stdout);
    assert.equal(
      header,
      'customer_id,customer_name,phone,loan_id,amount,due_date,language_code,state,temp_call_id,passthru_url,custom_field',
    );
    assert.equal(rows.length, 2);
    assert.match(res.stderr, /2 rows read .*2 accepted, 0 rejected/);
    assert.match(res.stderr, /rows\/s/);
  });

  it('refuses to wait on a terminal for --csv -', async () => {
    const res = await runCli(['url', '--csv', '-'], { tty: true });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /stdin is a terminal/);
  });

  it('--out writes the file; with --json the summary is JSON on stdout', async () => {
    const out = join(dir, 'out.ndjson');
    const res = await runCli(['--json', 'url', '--csv', 'ok.csv', '--out', 'out.ndjson', '--format', 'ndjson'], {
      cwd: dir,
    });
    assert.equal(res.code, 0, res.stderr);
    const summary = JSON.parse(res.stdout) as Record<string, unknown>;
    assert.equal(summary.rowsRead, 2);
    assert.equal(summary.accepted, 2);
    assert.deepEqual(summary.rejectedByReason, {});
    assert.equal(typeof summary.rowsPerSecond, 'number');
    assert.equal(lines(await readFile(out, 'utf8')).length, 2);
  });

  it('--json without --out leaves stdout to the rows and the summary on stderr', async () => {
    const res = await runCli(['--json', 'url', '--csv', 'ok.csv', '--format', 'json'], { cwd: dir });
    assert.equal(res.code, 0);
    assert.equal((JSON.parse(res.stdout) as unknown[]).length, 2);
    assert.match(res.stderr, /2 accepted/);
  });

  it('--format urls prints one URL per line', async () => {
    const res = await runCli(['url', '--csv', 'ok.csv', '--format', 'urls', '--base-url', 'https://b.example'], {
      cwd: dir,
    });
    assert.deepEqual(
      lines(res.stdout).map((line) => new URL(line).searchParams.get('customer_id')),
      ['C1', 'C2'],
    );
  });

  it('reads a TSV with --delimiter tab', async () => {
    const tsv = 'customer_id\tname\tphone\nC1\tRao, Asha\t9876543210\n';
    const res = await runCli(['url', '--csv', '-', '--delimiter', 'tab', '--format', 'ndjson'], { stdin: tsv });
    assert.equal(res.code, 0, res.stderr);
    assert.equal((JSON.parse(res.stdout) as Record<string, string>).customer_name, 'Rao, Asha');
  });

  it('--seed makes temp_call_id reproducible; without it, runs differ', async () => {
    const ids = async (args: string[]) =>
      lines((await runCli(['url', '--csv', 'ok.csv', '--format', 'ndjson', ...args], { cwd: dir })).stdout).map(
        (l) => (JSON.parse(l) as Record<string, string>).temp_call_id,
      );
    assert.deepEqual(await ids(['--seed', 'campaign-7']), await ids(['--seed', 'campaign-7']));
    assert.notDeepEqual(await ids([]), await ids([]));
  });

  it('adds key= from WEBHOOK_KEY and takes the base from BASE_URL', async () => {
    const res = await runCli(['url', '--csv', 'ok.csv', '--format', 'urls'], {
      cwd: dir,
      env: { WEBHOOK_KEY: 's3cret', BASE_URL: 'https://env.example.com/' },
    });
    const url = new URL(lines(res.stdout)[0] ?? '');
    assert.equal(url.origin, 'https://env.example.com');
    assert.equal(url.searchParams.get('key'), 's3cret');
    assert.doesNotMatch(res.stderr, /not https/);
  });

  it('the default base (http://localhost:8000) is the simulator: no https warning, no production note', async () => {
    const res = await runCli(['url', '--csv', 'ok.csv', '--format', 'urls'], { cwd: dir });
    assert.equal(res.code, 0);
    assert.ok(lines(res.stdout)[0]?.startsWith('http://localhost:8000/passthru-handler?'));
    assert.doesNotMatch(res.stderr, /not https|simulator\/dev only/);
    assert.match(res.stderr, /2 rows read/);
  });

  it('a base Exotel could call gets the advice: https warning for http, the PII note once', async () => {
    const http = await runCli(['url', '--csv', 'ok.csv', '--format', 'urls', '--base-url', 'http://bot.example.com'], {
      cwd: dir,
    });
    assert.equal(http.code, 0);
    assert.match(http.stderr, /warning: --base-url http:\/\/bot\.example\.com is not https/);
    const https = await runCli(
      ['url', '--csv', 'ok.csv', '--format', 'urls', '--base-url', 'https://bot.example.com'],
      {
        cwd: dir,
      },
    );
    assert.doesNotMatch(https.stderr, /not https/);
    assert.equal(https.stderr.match(/simulator\/dev only/g)?.length, 1, https.stderr);
  });
});

describe('url --csv: exit codes', () => {
  it('exit 1 when rows are rejected, but the accepted rows (before and after) are all written', async () => {
    const res = await runCli(['url', '--csv', 'reject.csv', '--format', 'ndjson', '--rejects', 'rej.csv'], {
      cwd: dir,
    });
    assert.equal(res.code, 1);
    assert.deepEqual(
      lines(res.stdout).map((l) => (JSON.parse(l) as Record<string, string>).customer_id),
      ['C1', 'C2', 'C4'],
    );
    assert.match(
      await readFile(join(dir, 'rej.csv'), 'utf8'),
      /^line,reason,message,customer_id,name,phone,amount,state\n4,phone_invalid,/,
    );
    assert.match(res.stderr, /1 rejected \(phone_invalid 1\)/);
  });

  it('exit 0 with --allow-rejects', async () => {
    const res = await runCli(['url', '--csv', 'reject.csv', '--allow-rejects'], { cwd: dir });
    assert.equal(res.code, 0);
  });

  it('exit 1 for an unclosed quote even with --allow-rejects: the file was not read to the end', async () => {
    const res = await runCli(['url', '--csv', '-', '--allow-rejects', '--format', 'ndjson'], {
      stdin: 'id,name,phone\nC1,a,9876543210\nC2,"b,9876543211\nC3,c,9876543212\n',
    });
    assert.equal(res.code, 1);
    assert.equal(lines(res.stdout).length, 1);
    assert.match(res.stderr, /parsing stopped at line 3/);
  });

  it('a 10 MB name: one reject at its line, the next row still read', async () => {
    const name = 'A'.repeat(10 * 1024 * 1024);
    const csv = `customer_id,name,phone,amount\nC1,${name},9876543210,100\nC2,Bee,9876543211,200\n`;
    const args = ['url', '--csv', '-', '--format', 'ndjson', '--rejects', join(dir, 'huge-rejects.csv')];
    const res = await runCli(args, { stdin: csv });
    assert.equal(res.code, 1, res.stderr);
    assert.deepEqual(
      lines(res.stdout).map((l) => (JSON.parse(l) as Record<string, string>).customer_id),
      ['C2'],
    );
    assert.match(res.stderr, /2 rows read .*1 accepted, 1 rejected \(csv_malformed 1\)/);
    const rejects = lines(await readFile(join(dir, 'huge-rejects.csv'), 'utf8'));
    assert.deepEqual(
      rejects.slice(1).map((l) => l.split(',').slice(0, 2).join(',')),
      ['2,csv_malformed'],
    );
  });

  const usage: Array<[string, string[], RegExp, Record<string, string>?]> = [
    ['no such file', ['url', '--csv', 'nope.csv'], /cannot read --csv nope.csv: no such file/],
    ['a directory', ['url', '--csv', '.'], /is a directory/],
    [
      'unknown column in --map',
      ['url', '--csv', 'ok.csv', '--map', 'loan_id=Loan Number'],
      /--map loan_id=Loan Number: no such column/,
    ],
    ['unknown field in --map', ['url', '--csv', 'ok.csv', '--map', 'email=Email'], /unknown field "email"/],
    ['--sign without WEBHOOK_KEY', ['url', '--csv', 'ok.csv', '--sign'], /--sign needs WEBHOOK_KEY/],
    ['--expires-in without --sign', ['url', '--csv', 'ok.csv', '--expires-in', '2d'], /add --sign/],
    [
      'a bad --expires-in',
      ['url', '--csv', 'ok.csv', '--sign', '--expires-in', 'forever'],
      /--expires-in "forever"/,
      { WEBHOOK_KEY: 'k' },
    ],
    [
      'a relative --base-url',
      ['url', '--csv', 'ok.csv', '--base-url', 'bot.example.com'],
      /--base-url must be an absolute URL/,
    ],
    [
      'an unknown --format',
      ['url', '--csv', 'ok.csv', '--format', 'xml'],
      /Allowed choices are csv, ndjson, json, urls/,
    ],
    ['--out over the input', ['url', '--csv', 'ok.csv', '--out', './ok.csv'], /--out and --csv name the same file/],
    ['--csv with customer flags', ['url', '--csv', 'ok.csv', '--phone', '9876543210'], /exclude each other/],
    ['nothing to do', ['url'], /nothing to do/],
    ['a two-character delimiter', ['url', '--csv', 'ok.csv', '--delimiter', ';;'], /--delimiter/],
  ];
  for (const [label, args, message, env] of usage) {
    it(`exit 2 for ${label}`, async () => {
      const res = await runCli(args, { cwd: dir, ...(env ? { env } : {}) });
      assert.equal(res.code, 2, res.stderr);
      assert.match(res.stderr, message);
      assert.equal(res.stdout, '');
    });
  }
});

describe('url --csv: warnings and progress', () => {
  it('shows the first 20 warnings with their line, then a count', async () => {
    let csv = 'customer_id,name,phone\n';
    for (let i = 0; i < 25; i++) csv += `C${i},N${i},${9_000_000_000 + i}\n`;
    const res = await runCli(['url', '--csv', '-', '--format', 'urls'], { stdin: csv });
    assert.equal(res.code, 0);
    assert.equal((res.stderr.match(/warning: line \d+: language_defaulted/g) ?? []).length, 20);
    assert.match(res.stderr, /warning: line 2: language_defaulted/);
    assert.match(res.stderr, /… and 5 more warnings/);
    assert.match(res.stderr, /25 warnings \(language_defaulted 25\)/);
  });

  it('draws a progress bar on a terminal with --progress, and none on a pipe', async () => {
    const tty = await runCli(['url', '--csv', 'ok.csv', '--progress', '--out', 'p.csv'], { cwd: dir, tty: true });
    assert.equal(tty.code, 0, tty.stderr);
    assert.match(tty.stderr, /url --csv \[[█░]+\] 100% \| 2 rows/);
    const pipe = await runCli(['url', '--csv', 'ok.csv', '--out', 'p.csv'], { cwd: dir });
    assert.doesNotMatch(pipe.stderr, /url --csv \[/);
  });

  it('draws it by itself on a terminal when the file is large (over 5 MB), unless --no-progress', async () => {
    const note = 'n'.repeat(230);
    let csv = 'customer_id,name,phone,note\n';
    for (let i = 0; i < 21_000; i++) csv += `C${i},N${i},${9_000_000_000 + i},${note}\n`;
    await writeFile(join(dir, 'large.csv'), csv);
    assert.ok(csv.length > 5 * 1024 * 1024);
    const auto = await runCli(['url', '--csv', 'large.csv', '--out', 'large.out'], { cwd: dir, tty: true });
    assert.equal(auto.code, 0, auto.stderr.slice(-500));
    assert.match(auto.stderr, /url --csv \[[█░]+\] 100% \| 21,?000 rows/);
    const off = await runCli(['url', '--csv', 'large.csv', '--out', 'large.out', '--no-progress'], {
      cwd: dir,
      tty: true,
    });
    assert.doesNotMatch(off.stderr, /url --csv \[/);
  });
});

describe('url one-off form', () => {
  it('prints the URL and the CustomField for one customer', async () => {
    const res = await runCli([
      'url',
      '--customer-id',
      'C9',
      '--name',
      'रिद्धि मित्तल',
      '--phone',
      '98765-43210',
      '--amount',
      '₹15,000',
      '--state',
      'UP',
      '--seed',
      'x',
      '--base-url',
      'https://b.example',
    ]);
    assert.equal(res.code, 0, res.stderr);
    const [url, cf] = lines(res.stdout);
    const params = new URL(url?.replace(/^passthru_url\s+/, '') ?? '').searchParams;
    assert.equal(params.get('customer_name'), 'रिद्धि मित्तल');
    assert.equal(params.get('phone'), '+919876543210');
    assert.equal(params.get('amount'), '15000');
    assert.equal(params.get('language_code'), 'hi-IN');
    assert.deepEqual(Object.fromEntries(params), JSON.parse(cf?.replace(/^custom_field\s+/, '') ?? ''));
    assert.match(res.stderr, /simulator\/dev only/);
  });

  it('--json prints one object; --format csv a one-row CSV', async () => {
    const base = ['url', '--customer-id', 'C9', '--name', 'Asha', '--phone', '9876543210'];
    const json = await runCli(['--json', ...base]);
    assert.equal((JSON.parse(json.stdout) as Record<string, string>).phone, '+919876543210');
    const csv = await runCli([...base, '--format', 'csv']);
    assert.equal(lines(csv.stdout).length, 2);
  });

  it('a bad value is a usage error naming the flag', async () => {
    const res = await runCli(['url', '--customer-id', 'C9', '--name', 'Asha', '--phone', '12345']);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /--phone: phone "12345" is not an Indian mobile/);
    const noName = await runCli(['url', '--customer-id', 'C9', '--phone', '9876543210']);
    assert.match(noName.stderr, /--name: customer_name is empty/);
  });
});

it('url --help labels query-string URLs as simulator/dev only and explains --json', async () => {
  const res = await runCli(['url', '--help']);
  assert.equal(res.code, 0);
  assert.match(res.stdout, /simulator and local development only/);
  assert.match(res.stdout, /--json: with --out, the summary is printed as JSON on stdout/);
  assert.match(res.stdout, /Reject reasons: column_count, csv_malformed/);
});
