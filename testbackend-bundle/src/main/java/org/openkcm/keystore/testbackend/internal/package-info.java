/** The scratch backend used to prove hot deployment; private. */
package org.openkcm.keystore.testbackend.internal;
