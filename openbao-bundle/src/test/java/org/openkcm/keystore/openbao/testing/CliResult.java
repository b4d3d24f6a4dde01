package org.openkcm.keystore.openbao.testing;

/** Exit code and output of one {@code bao} CLI call. */
public record CliResult(int exitCode, String stdout, String stderr) {}
