/**
 * Makes sure Debian's Chromium is installed for the browser tests: the tests drive /usr/bin/chromium
 * through playwright-core, which downloads no browser of its own. On a new machine (CI) this installs
 * the `chromium` package with apt-get, as root; anywhere else it says what to run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

function apt(...args: string[]): void {
  execFileSync('apt-get', args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

if (!existsSync(CHROMIUM)) {
  if (process.getuid?.() !== 0) {
    console.error(`${CHROMIUM} is missing: install it with \`sudo apt-get install -y chromium\`.`);
    process.exit(1);
  }
  console.error(`${CHROMIUM} is missing: installing Debian's chromium package`);
  try {
    apt('install', '-y', '--no-install-recommends', 'chromium');
  } catch {
    apt('update');
    apt('install', '-y', '--no-install-recommends', 'chromium');
  }
  if (!existsSync(CHROMIUM)) {
    console.error(`apt-get finished but ${CHROMIUM} is still missing`);
    process.exit(1);
  }
}
