import pkg from '../package.json';

export const NAME = 'gatehouse';
export const VERSION: string = pkg.version;
