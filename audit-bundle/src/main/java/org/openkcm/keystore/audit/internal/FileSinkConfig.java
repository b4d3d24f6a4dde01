package org.openkcm.keystore.audit.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(
    name = "OpenKCM Keystore audit file",
    description =
        "The chained JSON-lines audit file: one fsync'ed line per operation, rotated by size")
public @interface FileSinkConfig {
  String PID = "org.openkcm.keystore.audit.file";

  @AttributeDefinition(description = "The live audit file; rotated files sit next to it")
  String file() default "audit/keystore-audit.log";

  @AttributeDefinition(
      description =
          "Rotate when the live file's entries reach this size (MiB; its zero tail is not counted)")
  long maxFileSizeMb() default 64;

  @AttributeDefinition(description = "Rotated files kept; older ones are deleted")
  int retainFiles() default 10;

  @AttributeDefinition(
      description = "How long an operation waits for its entry to be durable (milliseconds)")
  long writeTimeoutMs() default 10000;
}
