import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';
import { startTestGateway, type GatewayHarness } from '../support/gateway-harness';
import { startSuite, type Suite } from '../support/suite';

const ROOT = resolve(__dirname, '..', '..');

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end (asynchronously: the gateway it talks to runs in this process). */
function runProgram(file: string, args: string[], env: Record<string, string | undefined>): Promise<Exit> {
  return new Promise((done, fail) => {
    execFile(file, args, { env, timeout: 20_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return fail(err);
      done({ code: err ? (err.code as number) : 0, stdout, stderr });
    });
  });
}

/**
 * The CLI as a user runs it: the program package.json's `bin` names, built the way `make build`
 * builds it (tsconfig.build.json, into a scratch directory instead of dist/), linked as npm links
 * a bin, and started as its own process against a real gateway.
 */
describe('tally CLI: as a program', () => {
  let s: Suite;
  let gw: GatewayHarness;
  let dir: string;
  /** The built file package.json's bin points at. */
  let entry: string;
  /** What `npm install` / `npx` put on the PATH: a symlink to it, executable. */
  let linked: string;
  let env: Record<string, string | undefined>;

  const node = (args: string[], extra: Record<string, string> = {}) => runProgram(process.execPath, [entry, ...args], { ...env, ...extra });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tally-cli-bin-'));
    const bin = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin.tally;
    const build = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.build.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
    const underOut = relative(build.options.outDir!, resolve(ROOT, bin));
    expect({ bin, insideTheBuildOutput: !underOut.startsWith('..') && !isAbsolute(underOut) }).toEqual({ bin, insideTheBuildOutput: true });
    const source = join(build.options.rootDir ?? ROOT, underOut.replace(/\.js$/, '.ts'));
    expect(existsSync(source)).toBe(true);
    const out = join(dir, 'out');
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: join(ROOT, 'tsconfig.build.json'),
        compilerOptions: { outDir: out, rootDir: ROOT, sourceMap: false, typeRoots: [join(ROOT, 'node_modules', '@types')] },
        files: [source],
        include: [],
      }),
    );
    const tsc = await runProgram(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], process.env);
    expect(tsc).toMatchObject({ code: 0, stderr: '' });
    entry = join(out, underOut);
    // npm makes a bin executable and links it into node_modules/.bin.
    chmodSync(entry, 0o755);
    mkdirSync(join(dir, '.bin'));
    linked = join(dir, '.bin', 'tally');
    symlinkSync(entry, linked);

    s = await startSuite();
    gw = await startTestGateway(s);
    const path = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
    env = { PATH: path, TALLY_ENDPOINT: gw.httpUrl, TALLY_API_KEY: s.identity.config.TALLY_ROOT_KEY };
  }, 90_000);
  afterAll(async () => {
    await gw?.stop();
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('node <bin> runs commands against the gateway: output on stdout, exit 0', async () => {
    const help = await node(['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '', stdout: expect.stringMatching(/^usage: tally <command> \[options\]\n/) });

    const domain = await node(['domain', 'create', 'Acme']);
    expect(domain).toMatchObject({ code: 0, stderr: '' });
    const key = /^admin api key: (tally_\S+)$/m.exec(domain.stdout)![1];
    env.TALLY_API_KEY = key;
    const project = await node(['project', 'create', 'Web']);
    expect(project).toMatchObject({ code: 0, stderr: '', stdout: expect.stringMatching(/^project-\S+\n$/) });
    const list = await node(['project', 'list']);
    expect(list).toMatchObject({ code: 0, stderr: '' });
    expect(list.stdout).toMatch(new RegExp(`^PROJECT\\s+NAME\\s+GROUP\\n${project.stdout.trim()}\\s+Web\\s+-\\n$`));
  });

  it('errors go to stderr with the exit codes: 2 for a usage mistake, 1 for what the gateway refused', async () => {
    const usage = await node(['project', 'list', '--jsn']);
    expect(usage).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/^tally: unknown option --jsn \(did you mean --json\?\)\nusage: tally project list\n/) });
    const refused = await node(['project', 'create', 'X', '--group', 'pg-0000000000000000']);
    expect(refused).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/^tally: .*not found \(NOT_FOUND/) });
    const badKey = await node(['project', 'list'], { TALLY_API_KEY: 'tally_nobody_wrong' });
    expect(badKey).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining('the API key was refused') });
  });

  it('the linked bin runs by itself (its shebang), and importing the module runs nothing (its main guard)', async () => {
    expect(readFileSync(entry, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    const direct = await runProgram(linked, ['project', 'list', '--json'], env);
    expect(direct).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(direct.stdout).results).toEqual([expect.objectContaining({ name: 'Web' })]);
    const missing = await runProgram(linked, ['project', 'create'], env);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('tally: the project name is required') });

    const imported = await runProgram(process.execPath, ['-e', `require(${JSON.stringify(entry)})`, '--', 'project', 'list'], env);
    expect(imported).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
