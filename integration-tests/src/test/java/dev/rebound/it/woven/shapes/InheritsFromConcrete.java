package dev.rebound.it.woven.shapes;

/** Would run ConcreteBase's unwoven body under Flaky's policy: refused when it initialises. */
public class InheritsFromConcrete extends ConcreteBase implements Flaky {
}
