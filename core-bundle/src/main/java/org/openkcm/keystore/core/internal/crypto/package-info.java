/**
 * Envelope encryption: the sealed-record format, per-thread AES-GCM ciphers and DRBGs, and the
 * local root-key provider. Private.
 */
package org.openkcm.keystore.core.internal.crypto;
