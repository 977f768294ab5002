package dev.berth.operator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.schedule.MemberRecord;
import java.util.List;

/**
 * Hosts as {@code get hosts -o json|yaml} prints them, shaped like objects: {@code kind: Host}, metadata (name,
 * labels) and status: the state {@code get hosts} shows, the live host record as the operator wrote it (absent when
 * the host is not alive) and the scheduler's member record (absent before the scheduler saw the host).
 */
final class HostDocuments {
    private final ObjectMapper mapper = new ObjectMapper();
    private final ObjectDocuments lists = new ObjectDocuments();

    ObjectNode document(Cluster cluster, String host) {
        ObjectNode node = mapper.createObjectNode();
        node.put("apiVersion", "berth.dev/v1");
        node.put("kind", "Host");
        ObjectNode metadata = node.putObject("metadata");
        metadata.put("name", host);
        metadata.set("labels", mapper.valueToTree(HostsCommand.labels(cluster, host)));
        ObjectNode status = node.putObject("status");
        status.put("state", cluster.state(host));
        HostRecord live = cluster.live().get(host);
        if (live != null) {
            status.set("record", mapper.valueToTree(live));
        }
        MemberRecord member = cluster.members().get(host);
        if (member != null) {
            status.set("member", mapper.valueToTree(member));
        }
        return node;
    }

    JsonNode list(Cluster cluster, List<String> hosts) {
        return lists.list(hosts.stream().map(host -> document(cluster, host)).toList());
    }
}
