import { describe, expect, it } from 'vitest';
import { imitates } from '../../src/policy/programs/typosquat.js';

describe('names one slip from a much-installed package', () => {
  it.each([
    ['pypi', 'reqeusts', 'requests'],
    ['pypi', 'requestss', 'requests'],
    ['pypi', 'djnago', 'django'],
    ['pypi', 'Python_Dateutils', 'python-dateutil'],
    ['npm', 'lodahs', 'lodash'],
    ['npm', 'crossenv', 'cross-env'],
    ['npm', 'expres', 'express'],
    ['npm', 'axois', 'axios'],
  ] as const)('%s %s looks like %s', (registry, name, like) => expect(imitates(registry, name)).toBe(like));

  it.each([
    ['pypi', 'requests'],
    ['pypi', 'Requests'],
    ['pypi', 'python_dateutil'],
    ['pypi', 'rich'],
    ['pypi', 'uvloop'],
    ['npm', 'lodash'],
    ['npm', 'cross-env'],
    ['npm', 'colors'],
    ['npm', 'color'],
    ['npm', 'vue'],
    ['npm', 'preact'],
    ['npm', 'zustand'],
    ['npm', 'lodash.merge'],
  ] as const)('%s %s is no slip', (registry, name) => expect(imitates(registry, name)).toBeNull());
});
