package org.openkcm.keystore.testbackend.internal;

import org.openkcm.keystore.spi.Keystore;
import org.openkcm.keystore.testkit.KeystoreConformanceTest;

/** The scratch backend is a real backend: it passes the conformance kit. */
class ScratchConformanceTest extends KeystoreConformanceTest {

  @Override
  protected Keystore createKeystore() {
    return new ScratchKeystore();
  }

  @Override
  protected void disposeKeystore(Keystore k) {
    ((ScratchKeystore) k).close();
  }
}
