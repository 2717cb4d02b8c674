#!/usr/bin/env node
import { launch } from "@ds-service/cli/launch";

// `pnpm create ds-service <dir> [flags]` is `ds-service new <dir> [flags]`.
void launch(["new"]);
