package dev.rebound.ltw.generated;

import dev.rebound.annotations.Retry;

/**
 * A bean type whose policy is on a default method, woven in the interface: a class that does not override it runs
 * it through the woven door's shared table ({@code Sites}), whatever the class (a woven bean, a lambda).
 */
public interface GreetingChat {
    String ask(String q);

    @Retry(attempts = 3, delay = 0)
    default String greet(String q) {
        return ask("hello " + q);
    }
}
