import * as core from '@actions/core'; core.info('hi ' + core.getInput('x-y'));
