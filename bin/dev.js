#!/usr/bin/env node
// Same as run.js, with oclif's development mode (more detailed errors); still uses the compiled dist/.
import { execute } from '@oclif/core';

await execute({ development: true, dir: import.meta.url });
