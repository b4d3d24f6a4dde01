/**
 * Gogo shell commands (scope {@code keystore}) for operators. Never print key material. Private.
 */
package org.openkcm.keystore.core.internal.shell;
