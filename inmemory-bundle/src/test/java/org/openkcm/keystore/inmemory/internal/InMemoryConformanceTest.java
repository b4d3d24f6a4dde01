package org.openkcm.keystore.inmemory.internal;

import org.openkcm.keystore.spi.Keystore;
import org.openkcm.keystore.testkit.KeystoreConformanceTest;

/** The InMemory backend passes the conformance kit. */
class InMemoryConformanceTest extends KeystoreConformanceTest {

  @Override
  protected Keystore createKeystore() {
    return new InMemoryKeystore("inmemory", 10_000);
  }

  @Override
  protected void disposeKeystore(Keystore k) {
    ((InMemoryKeystore) k).close();
  }
}
