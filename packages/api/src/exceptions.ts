// Kibana exception-list shapes (lists, items, entries). Owned by the exceptions work; see packages/exceptions.
export {};
