/** The typed client's calls, one module per resource; imported from here by the commands. */
export * from './users-api.js';
export * from './groups-api.js';
export * from './tokens-api.js';
export * from './servers-api.js';
export * from './pressure-api.js';
