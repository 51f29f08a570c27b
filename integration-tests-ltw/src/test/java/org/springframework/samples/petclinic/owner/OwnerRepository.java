package org.springframework.samples.petclinic.owner;

import dev.rebound.annotations.Retry;

/**
 * An application's class in a package whose name starts as a library's does (Spring's PetClinic sample lives
 * in org.springframework.samples), under rebound-weaver's META-INF/aop.xml as it ships: woven.
 */
public class OwnerRepository {
    public int calls;
    public RuntimeException last;

    @Retry(attempts = 3, delay = 10, jitter = false)
    public String findByLastName(String name) {
        calls++;
        last = new IllegalStateException("attempt " + calls);
        throw last;
    }
}
