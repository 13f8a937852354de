import type { ShellCommand } from '../types.js';

/**
 * Package names one typing slip away from a much-installed one (`reqeusts`, `lodahs`, `crossenv`):
 * the shape of a typosquat, which runs its install scripts the moment it lands. A name that is
 * itself one of the much-installed is never one; nor is a short name (under five letters: too
 * many real packages sit one letter apart).
 */

type Registry = 'npm' | 'pypi';

/** Much-installed packages of each registry (names are facts of the registries). */
const POPULAR: Record<Registry, ReadonlySet<string>> = {
  npm: new Set(
    (
      'react react-dom react-native react-router react-router-dom react-redux redux redux-thunk next nuxt vue vuex vue-router svelte preact solid-js ' +
      'angular @angular/core lit jquery lodash lodash-es underscore ramda immutable rxjs axios node-fetch got superagent request request-promise ' +
      'express koa fastify hapi restify body-parser cookie-parser cors helmet morgan multer passport jsonwebtoken bcrypt bcryptjs ' +
      'express-session connect socket.io socket.io-client ws mongoose mongodb mysql mysql2 pg sqlite3 better-sqlite3 redis ioredis sequelize ' +
      'typeorm knex prisma @prisma/client graphql apollo-server @apollo/client dotenv cross-env nodemon pm2 concurrently npm-run-all ' +
      'typescript ts-node tsx esbuild webpack webpack-cli webpack-dev-server rollup vite parcel babel-core @babel/core @babel/cli ' +
      '@babel/preset-env babel-loader eslint prettier jest mocha chai sinon karma jasmine vitest cypress playwright puppeteer supertest ' +
      'nock ava tap chalk colors color commander yargs minimist inquirer ora boxen figlet debug winston pino bunyan loglevel moment ' +
      'moment-timezone dayjs date-fns luxon uuid nanoid shortid semver glob rimraf mkdirp fs-extra chokidar del execa shelljs ' +
      'cheerio jsdom sharp jimp canvas marked markdown-it highlight.js handlebars ejs pug nunjucks mustache classnames clsx ' +
      'styled-components emotion @emotion/react tailwindcss postcss autoprefixer sass node-sass less bootstrap @mui/material ' +
      'antd formik react-hook-form yup zod joi ajv swr react-query @tanstack/react-query mobx zustand three d3 chart.js electron ' +
      'electron-builder discord.js telegraf stripe twilio openai @anthropic-ai/sdk firebase firebase-admin aws-sdk @aws-sdk/client-s3 ' +
      'nodemailer qs querystring async bluebird q core-js regenerator-runtime tslib @types/node @types/react @types/express ' +
      'eslint-plugin-react eslint-config-airbnb husky lint-staged rxjs-compat serve http-server live-server gulp grunt bower yarn pnpm npm ' +
      'coffee-script coffeescript node-gyp nan bindings prop-types reflect-metadata class-validator class-transformer @nestjs/core ' +
      'crypto-js jsonfile js-yaml yaml xml2js fast-xml-parser csv-parse papaparse xlsx archiver adm-zip tar unzipper form-data ' +
      'mime mime-types path-to-regexp cookie iconv-lite buffer events util process lru-cache node-cache keyv ethers web3'
    ).split(' '),
  ),
  pypi: new Set(
    (
      'requests urllib3 httpx aiohttp httplib2 numpy pandas scipy matplotlib seaborn plotly scikit-learn tensorflow torch torchvision ' +
      'keras jax flask django fastapi starlette uvicorn gunicorn sqlalchemy alembic psycopg2 psycopg2-binary psycopg pymysql ' +
      'mysqlclient redis celery boto3 botocore s3transfer awscli pyyaml python-dateutil pytz six setuptools wheel pip certifi idna ' +
      'chardet charset-normalizer cryptography pyopenssl paramiko beautifulsoup4 bs4 lxml selenium pillow opencv-python jinja2 ' +
      'markupsafe click colorama tqdm rich pydantic attrs pytest pytest-cov pytest-mock pytest-asyncio pytest-xdist mock coverage ' +
      'tox nox black flake8 pylint mypy isort ruff yapf autopep8 jupyter notebook ipython ipykernel websockets grpcio protobuf ' +
      'google-cloud-storage google-api-python-client google-auth openai anthropic transformers tokenizers datasets huggingface-hub ' +
      'langchain tiktoken nltk spacy gensim xgboost lightgbm catboost statsmodels dash streamlit gradio pyarrow polars docker kubernetes ' +
      'ansible fabric invoke jsonschema simplejson ujson orjson toml tomli tomlkit python-dotenv pyjwt passlib bcrypt argon2-cffi ' +
      'twine build poetry virtualenv pipenv setuptools-scm sphinx mkdocs mkdocs-material networkx sympy numba cython cffi pycparser ' +
      'typing-extensions packaging pyparsing filelock platformdirs distlib zipp importlib-metadata decorator wrapt oauthlib ' +
      'requests-oauthlib pyasn1 rsa jmespath werkzeug itsdangerous greenlet gevent eventlet pexpect prompt-toolkit pygments docutils ' +
      'babel pyzmq tornado traitlets discord.py python-telegram-bot tweepy pymongo elasticsearch loguru termcolor tabulate openpyxl ' +
      'xlrd python-docx reportlab pypdf pypdf2 scrapy playwright pyautogui pynput psutil pyserial marshmallow graphene strawberry-graphql ' +
      'sentry-sdk prometheus-client opentelemetry-api structlog arrow pendulum humanize emoji faker factory-boy hypothesis responses ' +
      'requests-mock freezegun tenacity backoff retrying cachetools diskcache pyodbc cx-oracle oracledb pika kafka-python confluent-kafka ' +
      'paho-mqtt pysftp pycryptodome pynacl ecdsa web3 colorlog click-plugins typer fire docopt argparse configparser pyinstaller ' +
      'setuptools-rust maturin pybind11 matplotlib-inline imageio scikit-image shapely geopandas pyproj folium'
    ).split(' '),
  ),
};

/** Each registry's names compared as the registry compares them: PyPI folds case and `-`, `_`, `.` together (PEP 503). */
function canonical(registry: Registry, name: string): string {
  const lower = name.toLowerCase();
  return registry === 'pypi' ? lower.replace(/[-_.]+/g, '-') : lower;
}

/** Optimal string alignment distance, stopped at 2 (transposed neighbours count one, as a slip of the fingers does). */
function slips(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 1) return 2;
  const prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      row.push(d);
    }
    prev2.splice(0, prev2.length, ...prev);
    prev = row;
  }
  return Math.min(prev[b.length]!, 2);
}

/** The much-installed package `name` looks like a slip of, or null. */
export function imitates(registry: Registry, name: string): string | null {
  const own = canonical(registry, name);
  const popular = POPULAR[registry];
  if (own.length < 5 || popular.has(own)) return null;
  const bare = own.replace(/[-_.]/g, '');
  for (const p of popular) {
    if (p.length < 5) continue;
    if (slips(own, p) === 1 || (bare === p.replace(/[-_.]/g, '') && bare !== own)) return p;
  }
  return null;
}

const PIP_VALUES = [
  '-r',
  '--requirement',
  '-c',
  '--constraint',
  '-e',
  '--editable',
  '-i',
  '--index-url',
  '--extra-index-url',
  '-f',
  '--find-links',
  '-t',
  '--target',
  '--prefix',
  '--root',
  '--python-version',
  '--platform',
  '--python',
  '--src',
  '--upgrade-strategy',
  '--no-binary',
  '--only-binary',
  '--trusted-host',
];

/** What each installer installs from, its subcommands that take package names, and its options that take a value. */
const INSTALLERS: Record<string, { registry: Registry; subcommands: readonly string[]; values: readonly string[] }> = {
  npm: { registry: 'npm', subcommands: ['install', 'i', 'add', 'in', 'isntall'], values: ['--prefix', '-w', '--workspace', '--tag', '--registry', '-C'] },
  pnpm: { registry: 'npm', subcommands: ['add', 'install', 'i'], values: ['--filter', '-F', '-C', '--dir', '--registry'] },
  yarn: { registry: 'npm', subcommands: ['add'], values: ['--cwd', '--registry'] },
  bun: { registry: 'npm', subcommands: ['add', 'install', 'i'], values: ['--cwd'] },
  pip: { registry: 'pypi', subcommands: ['install'], values: PIP_VALUES },
  pip3: { registry: 'pypi', subcommands: ['install'], values: PIP_VALUES },
  uv: { registry: 'pypi', subcommands: ['add', 'pip install'], values: [...PIP_VALUES, '--group', '--optional', '--package'] },
  poetry: { registry: 'pypi', subcommands: ['add'], values: ['-G', '--group', '-E', '--extras', '--source'] },
  pipx: { registry: 'pypi', subcommands: ['install', 'run'], values: ['--python', '--pip-args', '--spec'] },
  pdm: { registry: 'pypi', subcommands: ['add'], values: ['-G', '--group'] },
};

/** A package operand's name: without its version, extras, marker or tag (`lodash@4`, `requests[socks]>=2`, `@types/node@20`). */
function packageName(registry: Registry, word: string): string | null {
  if (/^(?:[./~]|https?:|git\+|file:)|[/\\]$/.test(word) || /\.(?:whl|tar\.gz|zip|tgz)$/.test(word)) return null;
  if (registry === 'npm') {
    const m = /^(@[^/@\s]+\/[^@\s]+|[^@\s/]+)(?:@.*)?$/.exec(word);
    return m ? m[1]! : null;
  }
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(word);
  return m ? m[1]! : null;
}

/** The much-installed packages this command's package names look like slips of: `[named, imitated]`. */
export function typosquatsIn(command: ShellCommand): [string, string][] {
  const decl = INSTALLERS[command.name];
  if (!decl) return [];
  const words = command.argv.slice(1).map((a) => (a.dynamic ? null : a.value));
  const firstWords = words.filter((w) => w !== null && !w.startsWith('-'));
  const sub = decl.subcommands.find((s) => s.split(' ').every((part, i) => firstWords[i] === part));
  if (!sub) return [];
  let skip = sub.split(' ').length;
  const out: [string, string][] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === null || w === undefined) continue;
    if (w.startsWith('-')) {
      if (decl.values.includes(w)) i++;
      continue;
    }
    if (skip > 0) {
      skip--;
      continue;
    }
    const name = packageName(decl.registry, w);
    const like = name ? imitates(decl.registry, name) : null;
    if (name && like) out.push([name, like]);
  }
  return out;
}
