package org.openkcm.keystore.pkcs11.internal;

import java.lang.reflect.Method;
import java.security.GeneralSecurityException;

/**
 * Finds the slot whose token carries a label. SunPKCS11 selects tokens by slot id or slot index
 * only, so this reads the slot list and token labels through the JDK's own PKCS#11 wrapper ({@code
 * sun.security.pkcs11.wrapper}, module {@code jdk.crypto.cryptoki}), loaded from the platform class
 * loader, which needs no OSGi import or boot delegation but does need the JVM option {@code
 * --add-exports=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED}. Without it the error
 * says so; {@code slot} or {@code slotListIndex} work on any JVM.
 */
final class SlotFinder {
  static final String ADD_EXPORTS =
      "--add-exports=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED";
  private static final String PKG = "sun.security.pkcs11.wrapper.";

  /**
   * CKF_OS_LOCKING_OK, as SunPKCS11 itself initialises modules: the module must lock for concurrent
   * callers.
   */
  private static final long CKF_OS_LOCKING_OK = 0x2L;

  long slotOf(String library, String tokenLabel) throws GeneralSecurityException {
    Object pkcs11;
    Method slotList;
    Method tokenInfo;
    try {
      ClassLoader platform = ClassLoader.getPlatformClassLoader();
      Class<?> wrapper = Class.forName(PKG + "PKCS11", true, platform);
      Class<?> initArgs = Class.forName(PKG + "CK_C_INITIALIZE_ARGS", true, platform);
      Object args = initArgs.getConstructor().newInstance();
      initArgs.getField("flags").setLong(args, CKF_OS_LOCKING_OK);
      pkcs11 =
          wrapper
              .getMethod("getInstance", String.class, String.class, initArgs, boolean.class)
              .invoke(null, library, "C_GetFunctionList", args, false);
      slotList = wrapper.getMethod("C_GetSlotList", boolean.class);
      tokenInfo = wrapper.getMethod("C_GetTokenInfo", long.class);
    } catch (IllegalAccessException | RuntimeException e) {
      throw new GeneralSecurityException(
          "selecting the token by label needs the JVM option "
              + ADD_EXPORTS
              + " (or configure slot / slotListIndex instead)");
    } catch (ReflectiveOperationException e) {
      throw new GeneralSecurityException(
          "the module could not be initialised to list its slots",
          e.getCause() == null ? e : e.getCause());
    }
    try {
      for (long slot : (long[]) slotList.invoke(pkcs11, true)) {
        Object info = tokenInfo.invoke(pkcs11, slot);
        char[] label = (char[]) info.getClass().getField("label").get(info);
        if (new String(label).trim().equals(tokenLabel)) {
          return slot;
        }
      }
    } catch (ReflectiveOperationException e) {
      throw new GeneralSecurityException(
          "listing the module's slots failed", e.getCause() == null ? e : e.getCause());
    }
    throw new GeneralSecurityException(
        "no slot holds a token labelled '" + tokenLabel + "' (CKR_TOKEN_NOT_PRESENT)");
  }
}
