package org.openkcm.keystore.webconsole.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The script every console HTML page gets right after {@code <head>}: it adds the session's request
 * token to what the page sends to its own origin, so the stock Web Console pages (jQuery XHR,
 * fetch, plain and multipart forms) pass the request guard without being changed. XHR and fetch
 * carry it in the {@value RequestTokens#HEADER} header; forms carry it in the action URL's query (a
 * multipart body is not parsed by the guard), and only forms posting to this origin.
 */
final class TokenScript {
  private static final Pattern HEAD =
      Pattern.compile("<head(\\s[^>]*)?>", Pattern.CASE_INSENSITIVE);
  private static final String TEMPLATE =
      "<script>(function(){var t='%TOKEN%',h='"
          + RequestTokens.HEADER
          + "',p='"
          + RequestTokens.PARAMETER
          + "';"
          + "function same(u){try{return new URL(u,location.href).origin===location.origin;}catch(e){return false;}}"
          + "var o=XMLHttpRequest.prototype.open,s=XMLHttpRequest.prototype.send;"
          + "XMLHttpRequest.prototype.open=function(m,u){this.__okcm=same(u);return o.apply(this,arguments);};"
          + "XMLHttpRequest.prototype.send=function(){if(this.__okcm){this.setRequestHeader(h,t);}return s.apply(this,arguments);};"
          + "if(window.fetch){var f=window.fetch;window.fetch=function(r,i){var u=(r&&r.url)||String(r);if(same(u)){i=i||{};"
          + "var hs=new Headers(i.headers||(r&&r.headers)||{});hs.set(h,t);i.headers=hs;}return f.call(this,r,i);};}"
          + "function tag(fm){var a=fm.getAttribute('action')||location.href;if(!same(a)){return;}var u=new URL(a,location.href);"
          + "u.searchParams.set(p,t);fm.setAttribute('action',u.toString());}"
          + "document.addEventListener('submit',function(e){if(e.target&&e.target.tagName==='FORM'){tag(e.target);}},true);"
          + "var fs=HTMLFormElement.prototype.submit;HTMLFormElement.prototype.submit=function(){tag(this);return fs.apply(this,arguments);};"
          + "})();</script>";

  private TokenScript() {}

  static String script(String token) {
    if (!token.matches("[A-Za-z0-9_-]+")) {
      throw new IllegalArgumentException("token must be base64url");
    }
    return TEMPLATE.replace("%TOKEN%", token);
  }

  /**
   * @return the page with the script after its {@code <head>}, or unchanged if it has none (a
   *     fragment)
   */
  static String inject(String html, String token) {
    Matcher m = HEAD.matcher(html);
    if (!m.find()) {
      return html;
    }
    return html.substring(0, m.end()) + script(token) + html.substring(m.end());
  }
}
