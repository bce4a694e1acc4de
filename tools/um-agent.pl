#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0
#
# um-agent: runs commands in a guest for the host, over the guest's
# console.  tools/autopkgtest-virt-um sends this script into the guest at
# boot (it needs nothing but perl-base, which every Debian system has) and
# then speaks to it in lines of plain ASCII, so that neither the tty nor a
# stray kernel message can corrupt binary data:
#
#   host to guest                       guest to host (each line begins
#                                       with the byte 0x1e and "um ")
#   x ID HEX   run a command: its       r VERSION     ready
#              arguments, NUL-separated o ID HEX      the command's output
#   i ID HEX   data for its input       e ID HEX      its error output
#   i ID       end of its input         s ID STATUS   it ended: its exit
#   k ID SIG   signal its process group               status, or 128 + the
#   q          end the agent                          signal that ended it
#
# HEX is the bytes in hexadecimal.  Each command runs in a session of its
# own with pipes for its standard input, output and error.  It has ended
# when it has exited and its output pipes are closed, or 2 seconds after it
# exited if a process it left behind keeps them open.
#
# See Documentation/autopkgtest.rst.

use strict;
use warnings;
use POSIX qw(:sys_wait_h :errno_h setsid _exit);
use Fcntl qw(F_GETFL F_SETFL O_NONBLOCK);

my $VERSION = 1;
my $MARK = "\x1eum ";
my $LINGER = 2;

my %jobs;               # ID -> { pid, in, out, err, inq, ineof, status, at }
my $inbuf = '';

$SIG{PIPE} = 'IGNORE';
binmode STDIN;
binmode STDOUT;

sub say_host {
	my $line = $MARK . join(' ', @_) . "\n";
	while (length $line) {
		my $n = syswrite(STDOUT, $line);
		if (!defined $n) {
			next if $! == EINTR || $! == EAGAIN;
			exit 1;
		}
		substr($line, 0, $n) = '';
	}
}

sub nonblocking {
	my $fh = shift;
	my $fl = fcntl($fh, F_GETFL, 0);
	fcntl($fh, F_SETFL, $fl | O_NONBLOCK);
}

sub start {
	my ($id, $hex) = @_;
	my @argv = split /\0/, pack('H*', $hex // ''), -1;
	my ($in_r, $in_w, $out_r, $out_w, $err_r, $err_w);
	unless (@argv && pipe($in_r, $in_w) && pipe($out_r, $out_w) &&
		pipe($err_r, $err_w)) {
		say_host('e', $id, unpack('H*', "um-agent: cannot start: $!\n"));
		say_host('s', $id, 127);
		return;
	}
	my $pid = fork();
	if (!defined $pid) {
		say_host('e', $id, unpack('H*', "um-agent: fork: $!\n"));
		say_host('s', $id, 127);
		return;
	}
	if ($pid == 0) {
		setsid();
		open(STDIN, '<&', $in_r);
		open(STDOUT, '>&', $out_w);
		open(STDERR, '>&', $err_w);
		close($_) for ($in_r, $in_w, $out_r, $out_w, $err_r, $err_w);
		$SIG{PIPE} = 'DEFAULT';
		{ exec { $argv[0] } @argv; }
		print STDERR "um-agent: cannot run $argv[0]: $!\n";
		_exit(127);
	}
	close($_) for ($in_r, $out_w, $err_w);
	nonblocking($_) for ($in_w, $out_r, $err_r);
	$jobs{$id} = { pid => $pid, in => $in_w, out => $out_r, err => $err_r,
		       inq => '', ineof => 0, status => undef, at => 0 };
}

sub close_input {
	my $j = shift;
	close($j->{in}) if $j->{in};
	$j->{in} = undef;
}

sub host_line {
	my $line = shift;
	$line =~ s/\r$//;
	my ($op, $id, $arg) = split / /, $line, 3;
	return unless defined $op;
	if ($op eq 'q') {
		kill('KILL', -$_->{pid}) for values %jobs;
		exit 0;
	}
	return unless defined $id;
	if ($op eq 'x') {
		start($id, $arg) unless $jobs{$id};
		return;
	}
	my $j = $jobs{$id} or return;
	if ($op eq 'i') {
		if (defined $arg && length $arg) {
			$j->{inq} .= pack('H*', $arg);
		} else {
			$j->{ineof} = 1;
		}
	} elsif ($op eq 'k') {
		kill($arg // 'TERM', -$j->{pid});
	}
}

sub pump_input {
	my $j = shift;
	return unless $j->{in};
	while (length $j->{inq}) {
		my $n = syswrite($j->{in}, $j->{inq});
		if (!defined $n) {
			return if $! == EAGAIN || $! == EINTR;
			# The command no longer reads: what is left goes.
			$j->{inq} = '';
			close_input($j);
			return;
		}
		substr($j->{inq}, 0, $n) = '';
	}
	close_input($j) if $j->{ineof};
}

sub pump_output {
	my ($id, $key, $tag) = @_;
	my $j = $jobs{$id};
	my $fh = $j->{$key} or return;
	my $n = sysread($fh, my $data, 3000);
	if (!defined $n) {
		return if $! == EAGAIN || $! == EINTR;
		$n = 0;
	}
	if ($n == 0) {
		close($fh);
		$j->{$key} = undef;
		return;
	}
	say_host($tag, $id, unpack('H*', $data));
}

sub reap {
	while ((my $pid = waitpid(-1, WNOHANG)) > 0) {
		my $st = $?;
		for my $j (values %jobs) {
			next unless $j->{pid} == $pid;
			$j->{status} = ($st & 127) ? 128 + ($st & 127) : $st >> 8;
			$j->{at} = time;
		}
	}
}

sub finish_jobs {
	for my $id (keys %jobs) {
		my $j = $jobs{$id};
		next unless defined $j->{status};
		next if ($j->{out} || $j->{err}) && time - $j->{at} < $LINGER;
		close($_) for grep { $_ } ($j->{out}, $j->{err});
		close_input($j);
		say_host('s', $id, $j->{status});
		delete $jobs{$id};
	}
}

say_host('r', $VERSION);
while (1) {
	my ($rin, $win) = ('', '');
	vec($rin, fileno(STDIN), 1) = 1;
	for my $j (values %jobs) {
		vec($rin, fileno($j->{out}), 1) = 1 if $j->{out};
		vec($rin, fileno($j->{err}), 1) = 1 if $j->{err};
		vec($win, fileno($j->{in}), 1) = 1
			if $j->{in} && (length $j->{inq} || $j->{ineof});
	}
	my $n = select(my $rout = $rin, my $wout = $win, undef, 0.25);
	if ($n > 0) {
		if (vec($rout, fileno(STDIN), 1)) {
			my $got = sysread(STDIN, $inbuf, 65536, length $inbuf);
			exit 0 if defined $got && $got == 0;
			while ($inbuf =~ s/^([^\n]*)\n//) {
				host_line($1);
			}
		}
		for my $id (keys %jobs) {
			my $j = $jobs{$id};
			pump_output($id, 'out', 'o')
				if $j->{out} && vec($rout, fileno($j->{out}), 1);
			pump_output($id, 'err', 'e')
				if $j->{err} && vec($rout, fileno($j->{err}), 1);
		}
	}
	pump_input($_) for values %jobs;
	reap();
	finish_jobs();
}
