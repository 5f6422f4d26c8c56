import type { AnyPluginDefinition } from "../core/plugin/api";
import diamond from "./input/diamond";
import internal from "./input/internal";
import line from "./input/line";
import nagios from "./input/nagios";
import command from "./input/command";
import ok from "./input/ok";
import livestatus from "./listener/livestatus";
import file from "./output/file";
import elasticsearch from "./store/elasticsearch";
import sqlite from "./store/sqlite";
import hosts from "./table/hosts";
import log from "./table/log";
import services from "./table/services";
import columns from "./table/columns";
import commands from "./table/commands";
import contactgroups from "./table/contactgroups";
import contacts from "./table/contacts";
import status from "./table/status";
import timeperiods from "./table/timeperiods";
import comments from "./table/comments";
import downtimes from "./table/downtimes";
import hostgroups from "./table/hostgroups";
import servicegroups from "./table/servicegroups";
import hostsbygroup from "./table/hostsbygroup";
import servicesbygroup from "./table/servicesbygroup";
import servicesbyhostgroup from "./table/servicesbyhostgroup";
import forwarder from "./output/forwarder";
import metrics from "./listener/metrics";

/** The built-in plugins: adding one is a line here, never an edit in core/. */
export const BUILT_IN_PLUGINS: readonly AnyPluginDefinition[] = [
  internal,
  line,
  nagios,
  command,
  ok,
  diamond,
  file,
  sqlite,
  elasticsearch,
  livestatus,
  metrics,
  hosts,
  services,
  log,
  status,
  columns,
  contacts,
  contactgroups,
  commands,
  timeperiods,
  comments,
  downtimes,
  hostgroups,
  servicegroups,
  hostsbygroup,
  servicesbygroup,
  servicesbyhostgroup,
  forwarder,
];
