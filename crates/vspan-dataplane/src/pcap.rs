//! pcap / pcapng input and pcap output.
