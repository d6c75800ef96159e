//! Live Azure collection (issue 4, in progress). So far: cloud profiles, the one place that knows
//! hosts, audiences and api-versions; nothing else names `management.azure.com` or `vault.azure.net`.

pub mod cloud;
