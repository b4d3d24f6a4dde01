/**
 * The conformance kit: a JUnit 5 suite every {@link org.openkcm.keystore.spi.Keystore} backend must
 * pass. Extend {@link org.openkcm.keystore.testkit.KeystoreConformanceTest} in the backend's own
 * tests.
 */
package org.openkcm.keystore.testkit;
