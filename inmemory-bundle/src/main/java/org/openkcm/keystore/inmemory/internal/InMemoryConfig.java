package org.openkcm.keystore.inmemory.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(
    name = "OpenKCM Keystore - InMemory backend",
    description =
        "Volatile backend for L4 crypto-edge keys and tests. Contents are zeroized and lost on stop.")
@interface InMemoryConfig {

  @AttributeDefinition(
      name = "Backend name",
      description = "Service property keystore.backend; routing rules name this.")
  String keystore_backend() default "inmemory";

  @AttributeDefinition(
      name = "Maximum entries",
      description = "Records held at most; a store beyond it fails with a capacity error.")
  int maxEntries() default 1_000_000;
}
