package dev.berth.crds;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** service_completed_successfully is valid only on a dependency whose exited containers stay exited. */
class DependsOnCompletedTest {
    private static List<String> errors(String restart) {
        return Manifests.PARSER.parse("x.yaml", """
                apiVersion: berth.dev/v1
                kind: Stack
                metadata: {name: s}
                spec:
                  services:
                    - name: migrate
                      image: app:1
                """ + restart + """
                    - name: api
                      image: app:1
                      dependsOn:
                        - {service: migrate, condition: service_completed_successfully}
                """).errors().stream().map(ValidationError::toString).toList();
    }

    @Test
    void aOneShotDependencyIsAccepted() {
        assertEquals(List.of(), errors("      restart: \"no\"\n"));
        assertEquals(List.of(), errors("      restart: on-failure\n"));
    }

    @Test
    void aDependencyDockerStartsAgainIsRefused() {
        assertEquals(List.of("x.yaml:12:41: spec.services[1].dependsOn[0].condition: service_completed_successfully needs "
                + "service \"migrate\" to have restart \"no\" or on-failure (it has always, so it is started again and "
                + "never stays completed)"), errors("      restart: always\n"));
        assertEquals(1, errors("").size(), "the Stack default unless-stopped restarts it too");
    }
}
