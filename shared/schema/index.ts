export * from './types';
export * from './keys';
export * from './read';
export * from './validate';
export * from './origins';
export * from './ids';
