/**
 * PKCS#11 root key provider (SunPKCS11): token sessions, wrapped-DEK format, Gogo commands.
 * Private.
 */
package org.openkcm.keystore.pkcs11.internal;
