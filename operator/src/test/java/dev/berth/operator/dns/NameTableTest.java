package dev.berth.operator.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.network.Ipv4Cidr;
import dev.berth.reconcilers.docker.Endpoint;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The names one operator answers, from hand-made endpoint lists. Networks: {@code front} and {@code back}. Stack
 * {@code shop}: web (two replicas on h1 and h2, front), db (one on h2, front and back), a third web replica unhealthy
 * on h3; stack {@code blog}: api on back only (h1), and a replica on h3 whose host is gone unless counted.
 */
class NameTableTest {
    private static final int AAAA = 28;
    private static final int TXT = 16;
    private static final Random RANDOM = new Random(7);

    private static Endpoint ep(String ip, String stack, String service, int n, boolean ready) {
        return new Endpoint(ip, "02:42:00:00:00:0" + n, stack + "-" + service + "-" + n, stack, service, n, ready);
    }

    private static final Map<String, Map<String, List<Endpoint>>> LISTS = Map.of(
            "front", Map.of(
                    "h1", List.of(ep("10.1.1.2", "shop", "web", 1, true)),
                    "h2", List.of(ep("10.1.2.2", "shop", "web", 2, true), ep("10.1.2.3", "shop", "db", 1, true),
                            new Endpoint("10.1.2.9", "02:42:00:00:00:99")),
                    "h3", List.of(ep("10.1.3.2", "shop", "web", 3, false))),
            "back", Map.of(
                    "h1", List.of(ep("10.2.1.2", "blog", "api", 1, true)),
                    "h2", List.of(ep("10.2.2.3", "shop", "db", 1, true)),
                    "h3", List.of(ep("10.2.3.2", "blog", "api", 2, true))));

    /** The answering host is h1: its ranges of the Networks (where its own containers, listed or not yet, are). */
    private static final Map<String, Ipv4Cidr> LOCAL = Map.of("front", Ipv4Cidr.parse("10.1.1.0/24"),
            "back", Ipv4Cidr.parse("10.2.1.0/24"), "n", Ipv4Cidr.parse("10.9.0.0/24"));

    private static final NameTable TABLE = new NameTable(LISTS, Set.of("h1", "h2", "h3"), LOCAL, Set.of());

    private static NameTable.Answer ask(String network, String source, String name) {
        return TABLE.answer(network, source, name, NameTable.TYPE_A, RANDOM);
    }

    private static Set<String> ips(NameTable.Answer answer) {
        assertEquals(NameTable.Kind.ANSWERED, answer.kind(), "answered: " + answer);
        return new TreeSet<>(answer.ips());
    }

    @Test
    void aServiceNameIsTheReadyReplicasOfTheAskersOwnStack() {
        // shop-web-1 asks for "web": both ready web replicas, not the unhealthy third one.
        assertEquals(Set.of("10.1.1.2", "10.1.2.2"), ips(ask("front", "10.1.1.2", "web")));
        assertEquals(Set.of("10.1.2.3"), ips(ask("front", "10.1.1.2", "db")));
        // blog-api-1 has no service "web" in its own stack.
        assertEquals(NameTable.Kind.NXDOMAIN, ask("back", "10.2.1.2", "web").kind());
    }

    @Test
    void serviceDotStackReachesAnotherStacksServiceOnASharedNetwork() {
        assertEquals(Set.of("10.2.2.3"), ips(ask("back", "10.2.1.2", "db.shop")));
        assertEquals(Set.of("10.2.1.2", "10.2.3.2"), ips(ask("back", "10.2.2.3", "api.blog")));
        assertEquals(Set.of("10.1.1.2", "10.1.2.2"), ips(ask("front", "10.1.2.3", "web.shop")));
    }

    /**
     * A service's aliases answer like its name (alone for the asker's own stack, {@code alias.stack} for others),
     * across hosts: shop's web (on h2) answers to www; a kept container name answers like any container name.
     */
    @Test
    void anAliasAnswersLikeTheServiceName() {
        Map<String, Map<String, List<Endpoint>>> lists = Map.of("front", Map.of(
                "h1", List.of(ep("10.1.1.2", "shop", "asker", 1, true), ep("10.1.1.3", "blog", "api", 1, true)),
                "h2", List.of(new Endpoint("10.1.2.2", "02:42:00:00:00:02", "legacy_web", "shop", "web", 1, true,
                        List.of("www")), new Endpoint("10.1.2.5", "02:42:00:00:00:05", "shop-web-2", "shop", "web", 2,
                        false, List.of("www")))));
        NameTable table = new NameTable(lists, Set.of("h1", "h2"), LOCAL, Set.of());
        assertEquals(Set.of("10.1.2.2"), ips(table.answer("front", "10.1.1.2", "WWW", NameTable.TYPE_A, RANDOM)));
        assertEquals(Set.of("10.1.2.2"), ips(table.answer("front", "10.1.1.3", "www.shop", NameTable.TYPE_A, RANDOM)));
        assertEquals(Set.of("10.1.2.2"), ips(table.answer("front", "10.1.1.2", "legacy_web", NameTable.TYPE_A, RANDOM)));
        // Another stack's alias alone is not its name; an alias nobody runs is NXDOMAIN.
        assertEquals(NameTable.Kind.NXDOMAIN, table.answer("front", "10.1.1.3", "www", NameTable.TYPE_A, RANDOM).kind());
        assertEquals(NameTable.Kind.NXDOMAIN, table.answer("front", "10.1.1.2", "wwx", NameTable.TYPE_A, RANDOM).kind());
    }

    /**
     * A kept containerName is a bare label like a service name: stack legacy's container {@code db} (not ready) must
     * never join stack shop's answer for its service db, nor stand in for it when shop's db has nothing ready. An
     * asker whose stack has no db reaches legacy's container by its name, as Docker would on a shared network.
     */
    @Test
    void aKeptContainerNameOfAnotherStackNeverJoinsTheAskersServiceAnswer() {
        Endpoint legacyDb = new Endpoint("10.9.0.4", "02:42:00:00:00:04", "db", "legacy", "postgres", 1, false);
        Map<String, Map<String, List<Endpoint>>> lists = Map.of("n", Map.of(
                "h1", List.of(ep("10.9.0.2", "shop", "web", 1, true), ep("10.9.0.3", "shop", "db", 1, true),
                        ep("10.9.0.5", "blog", "api", 1, true)),
                "h2", List.of(legacyDb)));
        NameTable table = new NameTable(lists, Set.of("h1", "h2"), LOCAL, Set.of());
        assertEquals(List.of("10.9.0.3"), table.answer("n", "10.9.0.2", "db", NameTable.TYPE_A, RANDOM).ips());
        assertEquals(List.of("10.9.0.4"), table.answer("n", "10.9.0.5", "db", NameTable.TYPE_A, RANDOM).ips(),
                "no db in blog: the container of that name, ready or not");
        assertEquals(List.of("10.9.0.3"), table.answer("n", "10.9.0.5", "db.shop", NameTable.TYPE_A, RANDOM).ips());

        // shop's db declared but nothing ready: NXDOMAIN, not legacy's container (ready or not).
        Endpoint legacyReady = new Endpoint("10.9.0.4", "02:42:00:00:00:04", "db", "legacy", "postgres", 1, true);
        NameTable scaledDown = new NameTable(Map.of("n", Map.of("h1", List.of(ep("10.9.0.2", "shop", "web", 1, true),
                ep("10.9.0.3", "shop", "db", 1, false)), "h2", List.of(legacyReady))), Set.of("h1", "h2"), LOCAL,
                Set.of("db.shop", "cache.shop"));
        assertEquals(NameTable.Kind.NXDOMAIN, scaledDown.answer("n", "10.9.0.2", "db", NameTable.TYPE_A, RANDOM).kind());
        NameTable declaredOnly = new NameTable(Map.of("n", Map.of("h1", List.of(ep("10.9.0.2", "shop", "web", 1, true)),
                "h2", List.of(legacyReady))), Set.of("h1", "h2"), LOCAL, Set.of("db.shop"));
        assertEquals(NameTable.Kind.NXDOMAIN, declaredOnly.answer("n", "10.9.0.2", "db", NameTable.TYPE_A, RANDOM).kind(),
                "declared in shop, scaled to zero: still shop's name");
    }

    /** An alias of stack cache equal to a service name of stack shop answers for cache's own askers only. */
    @Test
    void anAliasOfAnotherStackNeverJoinsTheAskersServiceAnswer() {
        Map<String, Map<String, List<Endpoint>>> lists = Map.of("n", Map.of("h1", List.of(
                ep("10.9.0.2", "shop", "web", 1, true), ep("10.9.0.3", "shop", "db", 1, true),
                new Endpoint("10.9.0.6", "02:42:00:00:00:06", "cache-redis-1", "cache", "redis", 1, true,
                        List.of("db")))));
        NameTable table = new NameTable(lists, Set.of("h1"), LOCAL, Set.of());
        assertEquals(List.of("10.9.0.3"), table.answer("n", "10.9.0.2", "db", NameTable.TYPE_A, RANDOM).ips());
        assertEquals(List.of("10.9.0.6"), table.answer("n", "10.9.0.6", "db", NameTable.TYPE_A, RANDOM).ips());
        assertEquals(List.of("10.9.0.3"), table.answer("n", "10.9.0.6", "db.shop", NameTable.TYPE_A, RANDOM).ips());
        assertEquals(List.of("10.9.0.6"), table.answer("n", "10.9.0.2", "db.cache", NameTable.TYPE_A, RANDOM).ips());
    }

    @Test
    void aContainerNameAnswersWhileItRunsHealthyOrNot() {
        assertEquals(Set.of("10.1.2.2"), ips(ask("front", "10.1.1.2", "shop-web-2")));
        // Unhealthy: out of the service's answers, still reachable by its own name.
        assertEquals(Set.of("10.1.3.2"), ips(ask("front", "10.1.1.2", "shop-web-3")));
        assertEquals(NameTable.Kind.NXDOMAIN, ask("front", "10.1.1.2", "shop-web-4").kind());
    }

    @Test
    void namesAreCaseInsensitiveAndTheTrailingDotIsIgnored() {
        assertEquals(Set.of("10.2.2.3"), ips(ask("back", "10.2.1.2", "DB.Shop.")));
        assertEquals(Set.of("10.1.1.2", "10.1.2.2"), ips(ask("front", "10.1.1.2", "Web.")));
        assertEquals(Set.of("10.1.2.2"), ips(ask("front", "10.1.1.2", "SHOP-WEB-2")));
    }

    @Test
    void everyAnswerHoldsAllAddressesInAShuffledOrder() {
        List<Endpoint> many = new java.util.ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            many.add(ep("10.9.0." + i, "big", "web", i, true));
        }
        NameTable table = new NameTable(Map.of("n", Map.of("h", many)), Set.of("h"), LOCAL, Set.of());
        Set<List<String>> orders = new HashSet<>();
        Random random = new Random(1);
        for (int i = 0; i < 50; i++) {
            NameTable.Answer answer = table.answer("n", "10.9.0.1", "web.big", NameTable.TYPE_A, random);
            assertEquals(6, answer.ips().size(), "all six, each once: " + answer);
            assertEquals(Set.of("10.9.0.1", "10.9.0.2", "10.9.0.3", "10.9.0.4", "10.9.0.5", "10.9.0.6"),
                    new TreeSet<>(answer.ips()));
            orders.add(answer.ips());
        }
        assertTrue(orders.size() > 10, "shuffled per answer, not one fixed order: " + orders.size() + " orders");
    }

    @Test
    void aReplicaNotReadyIsLeftOutAndAServiceWithNoneReadyIsNxdomain() {
        NameTable table = new NameTable(Map.of("n", Map.of("h", List.of(ep("10.9.0.2", "s", "web", 1, false),
                ep("10.9.0.3", "s", "db", 1, true)))), Set.of("h"), LOCAL, Set.of());
        assertEquals(NameTable.Kind.NXDOMAIN, table.answer("n", "10.9.0.3", "web", NameTable.TYPE_A, RANDOM).kind());
        assertEquals(NameTable.Kind.NXDOMAIN, table.answer("n", "10.9.0.3", "web.s", NameTable.TYPE_A, RANDOM).kind());
        assertEquals(List.of("10.9.0.3"), table.answer("n", "10.9.0.2", "db", NameTable.TYPE_A, RANDOM).ips());
    }

    @Test
    void aNameOnAnotherNetworkIsNxdomain() {
        // shop-web-1 is on front only; blog's api is on back only.
        assertEquals(NameTable.Kind.NXDOMAIN, ask("front", "10.1.1.2", "api.blog").kind());
        assertEquals(NameTable.Kind.NXDOMAIN, ask("front", "10.1.1.2", "blog-api-1").kind());
        // blog-api-1 is on back only: shop's web replicas are not its to see, shop's db is (on back).
        assertEquals(NameTable.Kind.NXDOMAIN, ask("back", "10.2.1.2", "web.shop").kind());
        assertEquals(NameTable.Kind.NXDOMAIN, ask("back", "10.2.1.2", "shop-web-1").kind());
    }

    @Test
    void aTargetOnSeveralNetworksAnswersWithItsAddressOnOneTheAskerShares() {
        // db is on front (10.1.2.3) and back (10.2.2.3).
        assertEquals(Set.of("10.1.2.3"), ips(ask("front", "10.1.2.2", "db")));
        assertEquals(Set.of("10.2.2.3"), ips(ask("back", "10.2.1.2", "db.shop")));
        // db asking about itself through back: the receiving Network's address first.
        assertEquals(Set.of("10.2.2.3"), ips(ask("back", "10.2.2.3", "db")));
        assertEquals(Set.of("10.1.2.3"), ips(ask("front", "10.1.2.3", "db")));
    }

    @Test
    void theAskerSeesEveryNetworkItsContainerIsListedOn() {
        // shop-db-1 is listed on front and back: asking through front, it still sees blog's api on back.
        assertEquals(Set.of("10.2.1.2", "10.2.3.2"), ips(ask("front", "10.1.2.3", "api.blog")));
    }

    @Test
    void aTypeOtherThanAOfAKnownNameIsNodataNotNxdomain() {
        assertEquals(NameTable.Kind.NODATA, TABLE.answer("front", "10.1.1.2", "web", AAAA, RANDOM).kind());
        assertEquals(List.of(), TABLE.answer("front", "10.1.1.2", "web", AAAA, RANDOM).ips());
        assertEquals(NameTable.Kind.NODATA, TABLE.answer("back", "10.2.1.2", "db.shop", TXT, RANDOM).kind());
        assertEquals(NameTable.Kind.NXDOMAIN, TABLE.answer("front", "10.1.1.2", "nothing", AAAA, RANDOM).kind());
        assertEquals(NameTable.Kind.FORWARD, TABLE.answer("front", "10.1.1.2", "example.com", AAAA, RANDOM).kind());
    }

    @Test
    void berthLookingNamesAreNxdomainAndEverythingElseIsForwarded() {
        assertEquals(NameTable.Kind.NXDOMAIN, ask("front", "10.1.1.2", "nothing").kind());
        assertEquals(NameTable.Kind.FORWARD, ask("front", "10.1.1.2", "cache.shop").kind(),
                "no service cache in stack shop anywhere: not a Berth name");
        assertEquals(NameTable.Kind.FORWARD, ask("front", "10.1.1.2", "example.com").kind());
        assertEquals(NameTable.Kind.FORWARD, ask("front", "10.1.1.2", "web.nostack").kind(), "not a stack name");
        assertEquals(NameTable.Kind.FORWARD, ask("front", "10.1.1.2", "web.shop.example.com").kind());
        assertEquals(NameTable.Kind.FORWARD, ask("front", "10.1.1.2", "www.example.com.").kind());
        assertEquals(NameTable.Kind.FORWARD, ask("front", "10.1.1.2", ".").kind(), "the root");
        // blog is a stack (on back): from front, its names are Berth names this asker cannot see.
        assertEquals(NameTable.Kind.NXDOMAIN, ask("front", "10.1.1.2", "api.blog").kind());
    }

    @Test
    void anUnlistedAddressInThisHostsRangeSeesTheReceivingNetworkOnly() {
        // A container that joined front here a moment ago, before its endpoint is published.
        assertEquals(Set.of("10.1.1.2", "10.1.2.2"), ips(ask("front", "10.1.1.77", "web.shop")));
        assertEquals(Set.of("10.1.2.2"), ips(ask("front", "10.1.1.77", "shop-web-2")));
        assertEquals(NameTable.Kind.NXDOMAIN, ask("front", "10.1.1.77", "web").kind(), "no stack of its own");
        assertEquals(NameTable.Kind.NXDOMAIN, ask("front", "10.1.1.77", "api.blog").kind());
    }

    @Test
    void anyOtherAddressSeesNoBerthNames() {
        // A container on a stack's own network asking the gateway across the host: everything is forwarded.
        assertEquals(NameTable.Kind.FORWARD, ask("front", "172.18.0.5", "web.shop").kind());
        assertEquals(NameTable.Kind.FORWARD, ask("front", "172.18.0.5", "shop-web-2").kind());
        assertEquals(NameTable.Kind.FORWARD, ask("front", "10.1.200.7", "web").kind());
        // Another host's address without stack labels: no asker of names here either.
        assertEquals(NameTable.Kind.FORWARD, ask("front", "10.1.2.9", "db.shop").kind());
    }

    @Test
    void aDeclaredServiceWithNoReplicaRunningIsNxdomainNotForwarded() {
        NameTable table = new NameTable(LISTS, Set.of("h1", "h2", "h3"), LOCAL, Set.of("cache.shop", "web.shop"));
        assertEquals(NameTable.Kind.NXDOMAIN, table.answer("front", "10.1.1.2", "cache.shop", NameTable.TYPE_A, RANDOM).kind(),
                "declared, scaled to zero: a Berth name, never asked of the outside world");
        assertEquals(NameTable.Kind.FORWARD, table.answer("front", "10.1.1.2", "cache.nostack", NameTable.TYPE_A, RANDOM).kind());
    }

    @Test
    void aStackNamedLikeATopLevelDomainTakesNoOutsideNamesAway() {
        NameTable table = new NameTable(Map.of("front", Map.of("h1", List.of(ep("10.1.1.2", "com", "api", 1, true),
                ep("10.1.1.3", "shop", "web", 1, true)))), Set.of("h1"), LOCAL, Set.of());
        assertEquals(List.of("10.1.1.2"), table.answer("front", "10.1.1.3", "api.com", NameTable.TYPE_A, RANDOM).ips());
        assertEquals(NameTable.Kind.FORWARD, table.answer("front", "10.1.1.3", "example.com", NameTable.TYPE_A, RANDOM).kind());
    }

    @Test
    void aContainerOfAnotherNetworkAskingThisGatewaySeesOnlyItsOwnNetworks() {
        // blog-api-1 (back only) sends to front's gateway: the host answers on every address, the names stay back's.
        assertEquals(NameTable.Kind.NXDOMAIN, ask("front", "10.2.1.2", "web.shop").kind());
        assertEquals(NameTable.Kind.NXDOMAIN, ask("front", "10.2.1.2", "shop-web-1").kind());
        assertEquals(Set.of("10.2.2.3"), ips(ask("front", "10.2.1.2", "db.shop")), "its own Network's names still answer");
        assertEquals(Set.of("10.2.1.2", "10.2.3.2"), ips(ask("front", "10.2.1.2", "api")));
    }

    @Test
    void onlyTheListsOfCountedHostsAnswer() {
        NameTable withoutH3 = new NameTable(LISTS, Set.of("h1", "h2"), LOCAL, Set.of());
        assertEquals(List.of("10.2.1.2"), withoutH3.answer("back", "10.2.2.3", "api.blog", NameTable.TYPE_A, RANDOM).ips());
        assertEquals(NameTable.Kind.NXDOMAIN,
                withoutH3.answer("front", "10.1.1.2", "shop-web-3", NameTable.TYPE_A, RANDOM).kind());
        // An asker listed only by an uncounted host, outside this host's range: no Berth names.
        assertEquals(NameTable.Kind.FORWARD, withoutH3.answer("back", "10.2.3.2", "api", NameTable.TYPE_A, RANDOM).kind());
        // Counted again (Unknown: no record, but probes still reach it): its replicas answer again.
        assertEquals(Set.of("10.2.1.2", "10.2.3.2"), ips(ask("back", "10.2.2.3", "api.blog")));
        NameTable nobody = new NameTable(LISTS, Set.of(), LOCAL, Set.of());
        assertEquals(NameTable.Kind.FORWARD, nobody.answer("front", "10.1.1.2", "web.shop", NameTable.TYPE_A, RANDOM).kind(),
                "no counted list names the stack: not a Berth name");
    }

    @Test
    void listsWithGapsAreRead() {
        Map<String, Map<String, List<Endpoint>>> odd = new java.util.HashMap<>();
        Map<String, List<Endpoint>> byHost = new java.util.HashMap<>();
        List<Endpoint> list = new java.util.ArrayList<>();
        list.add(null);
        list.add(new Endpoint(null, "02:42:00:00:00:01", "s-web-1", "s", "web", 1, true));
        list.add(ep("10.9.0.2", "s", "web", 2, true));
        byHost.put("h", list);
        byHost.put("g", null);
        odd.put("n", byHost);
        NameTable table = new NameTable(odd, Set.of("h", "g"), LOCAL, Set.of());
        assertEquals(List.of("10.9.0.2"), table.answer("n", "10.9.0.200", "web.s", NameTable.TYPE_A, RANDOM).ips());
        assertEquals(NameTable.Kind.NXDOMAIN, table.answer("n", "10.9.0.200", "s-web-1", NameTable.TYPE_A, RANDOM).kind());
        assertEquals(NameTable.Kind.FORWARD, table.answer("other", "10.9.0.200", "s-web-2", NameTable.TYPE_A, RANDOM).kind(),
                "asked through a Network this host has no range of: sees nothing of n");
    }
}
