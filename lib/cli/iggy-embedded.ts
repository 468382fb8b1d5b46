#!/usr/bin/env node
import { runCli } from './cli-main.js';

void runCli();
