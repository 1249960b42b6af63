// Docker-style generated container names (adjective_surname) and name validation.
import crypto from 'node:crypto';
import { invalid } from '../errors.js';

const LEFT = ['admiring', 'adoring', 'affectionate', 'agitated', 'amazing', 'angry', 'awesome', 'blissful', 'bold', 'boring',
  'brave', 'busy', 'charming', 'clever', 'cool', 'compassionate', 'competent', 'confident', 'dazzling', 'determined',
  'eager', 'ecstatic', 'elastic', 'elegant', 'epic', 'focused', 'friendly', 'gallant', 'gifted', 'happy', 'hopeful',
  'jolly', 'keen', 'kind', 'laughing', 'loving', 'lucid', 'modest', 'nice', 'nifty', 'peaceful', 'quirky', 'relaxed',
  'serene', 'sharp', 'stoic', 'sweet', 'tender', 'trusting', 'vibrant', 'wizardly', 'youthful', 'zealous'];
const RIGHT = ['albattani', 'allen', 'archimedes', 'babbage', 'bardeen', 'bell', 'bohr', 'carson', 'curie', 'darwin',
  'dijkstra', 'einstein', 'euclid', 'euler', 'faraday', 'fermi', 'feynman', 'galileo', 'gauss', 'hamilton', 'hawking',
  'hopper', 'hypatia', 'johnson', 'kepler', 'knuth', 'lamport', 'liskov', 'lovelace', 'maxwell', 'mccarthy', 'meitner',
  'newton', 'noether', 'pascal', 'pasteur', 'ritchie', 'shannon', 'thompson', 'tesla', 'torvalds', 'turing', 'wozniak'];

export function randomName(attempt: number): string {
  const pick = (list: string[]): string => list[crypto.randomInt(list.length)];
  const name = `${pick(LEFT)}_${pick(RIGHT)}`;
  return attempt > 0 ? `${name}${crypto.randomInt(10)}` : name;
}

const VALID = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function validateName(name: string): string {
  if (!VALID.test(name)) throw invalid(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  return name.startsWith('/') ? name : `/${name}`;
}
