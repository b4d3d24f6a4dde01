package org.openkcm.keystore.distribution;

import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * What an operator does on the Keystore page, as browser steps; each waits for the page it causes.
 */
final class KeystorePageSteps {
  private final Browser browser;

  KeystorePageSteps(Browser browser) {
    this.browser = browser;
  }

  String text(String id) {
    return browser.driver.findElement(By.id(id)).getText();
  }

  String statusLine() {
    return browser.driver.findElement(By.className("statline")).getText();
  }

  String fieldValue(String id) {
    return browser.driver.findElement(By.id(id)).getAttribute("value");
  }

  boolean has(String id) {
    return !browser.driver.findElements(By.id(id)).isEmpty();
  }

  /**
   * @return the text of the table row whose first cell is {@code name}
   */
  String row(String tableId, String name) {
    WebElement table = browser.driver.findElement(By.id(tableId));
    return table.findElements(By.cssSelector("tbody tr")).stream()
        .map(WebElement::getText)
        .filter(t -> t.startsWith(name + " "))
        .findFirst()
        .orElse("(no row for " + name + " in: " + table.getText() + ")");
  }

  /** Clicks Re-check of one backend; returns the outcome the redirected page shows. */
  String recheck(String backend) {
    submitting(() -> browser.driver.findElement(By.id("recheck-" + backend)).click());
    return text("result");
  }

  void search(String owner, String tier, String idPrefix) {
    WebElement form = browser.driver.findElement(By.id("search-form"));
    form.findElement(By.name("owner")).clear();
    form.findElement(By.name("owner")).sendKeys(owner);
    new Select(form.findElement(By.name("tier"))).selectByValue(tier);
    form.findElement(By.name("idPrefix")).clear();
    form.findElement(By.name("idPrefix")).sendKeys(idPrefix);
    submitting(() -> form.findElement(By.id("search-submit")).click());
  }

  /** Replaces the text of a form field. */
  void fill(String id, String text) {
    WebElement e = browser.driver.findElement(By.id(id));
    e.clear();
    e.sendKeys(text);
  }

  void choose(String id, String value) {
    new Select(browser.driver.findElement(By.id(id))).selectByValue(value);
  }

  /** Clicks a submit button and waits for the page the post/redirect/get leads to. */
  void submit(String buttonId) {
    submitting(() -> browser.driver.findElement(By.id(buttonId)).click());
  }

  private void submitting(Runnable action) {
    WebElement old = browser.driver.findElement(By.id("openkcm-keystore"));
    action.run();
    browser.waitUpTo(Duration.ofSeconds(30)).until(ExpectedConditions.stalenessOf(old));
  }
}
