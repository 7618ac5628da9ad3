<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About StoryClip Desktop</source>
        <extracomment>What the app is made of and under which licence (shipped in the frozen build too). What the app cannot know on a server without a history (the ``capabilities`` log line says which kind of server this is: ``history: false`` is the deployed backend).</extracomment>
        <translation>About StoryClip Desktop</translation>
    </message>
    <message>
        <source>StoryClip Desktop %1</source>
        <translation>StoryClip Desktop %1</translation>
    </message>
    <message>
        <source>Follows your StoryClip publishing from the system tray.</source>
        <translation>Follows your StoryClip publishing from the system tray.</translation>
    </message>
    <message>
        <source>Qt %1 · Qt for Python %2 · Python %3</source>
        <translation>Qt %1 · Qt for Python %2 · Python %3</translation>
    </message>
    <message>
        <source>Licences</source>
        <translation>Licences</translation>
    </message>
    <message>
        <source>StoryClip Desktop is free software under the MIT licence. Qt and Qt for Python are used under the GNU LGPL version 3; their source is available from the Qt Project.</source>
        <translation>StoryClip Desktop is free software under the MIT licence. Qt and Qt for Python are used under the GNU LGPL version 3; their source is available from the Qt Project.</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Where the StoryClip server keeps no history of publications (its deployed backend today), StoryClip Desktop can only announce and show the publications it saw while running: one that starts and ends while the app is closed, offline or signed out is never known to it.</source>
        <translation>Where the StoryClip server keeps no history of publications (its deployed backend today), StoryClip Desktop can only announce and show the publications it saw while running: one that starts and ends while the app is closed, offline or signed out is never known to it.</translation>
    </message>
</context>
<context>
    <name>AccountView</name>
    <message>
        <source>Signed in as</source>
        <translation>Signed in as</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>Sign out</translation>
    </message>
    <message>
        <source>Active batches…</source>
        <translation>Active batches…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>Refreshing…</source>
        <translation>Refreshing…</translation>
    </message>
    <message numerus="yes">
        <source>%n batch(es) finished earlier.</source>
        <translation>
            <numerusform>%n batch finished earlier.</numerusform>
            <numerusform>%n batches finished earlier.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n batch(es) paused.</source>
        <translation>
            <numerusform>%n batch paused.</numerusform>
            <numerusform>%n batches paused.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n batch(es) finished.</source>
        <translation>
            <numerusform>%n batch finished.</numerusform>
            <numerusform>%n batches finished.</numerusform>
        </translation>
    </message>
    <message>
        <source>When you publish from StoryClip, your batches show up here and a message at the top of this window tells you when they finish.</source>
        <translation>When you publish from StoryClip, your batches show up here and a message at the top of this window tells you when they finish.</translation>
    </message>
    <message>
        <source>When you publish from StoryClip, your batches show up here and a desktop notification tells you when they finish.</source>
        <translation>When you publish from StoryClip, your batches show up here and a desktop notification tells you when they finish.</translation>
    </message>
    <message>
        <source>Closing this window keeps StoryClip Desktop running in the system tray.</source>
        <translation>Closing this window keeps StoryClip Desktop running in the system tray.</translation>
    </message>
    <message>
        <source>This desktop has no system tray, so closing this window quits StoryClip Desktop.</source>
        <translation>This desktop has no system tray, so closing this window quits StoryClip Desktop.</translation>
    </message>
    <message>
        <source>Nothing is publishing right now</source>
        <translation>Nothing is publishing right now</translation>
    </message>
</context>
<context>
    <name>ActiveBatchesDialog</name>
    <message>
        <source>Active batches — StoryClip</source>
        <translation>Active batches — StoryClip</translation>
    </message>
    <message>
        <source>Active batches</source>
        <translation>Active batches</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>Read every batch again from the server (F5)</source>
        <translation>Read every batch again from the server (F5)</translation>
    </message>
    <message>
        <source>&amp;All</source>
        <translation>&amp;All</translation>
    </message>
    <message>
        <source>&amp;Publishing</source>
        <translation>&amp;Publishing</translation>
    </message>
    <message>
        <source>F&amp;inished</source>
        <translation>F&amp;inished</translation>
    </message>
    <message>
        <source>Fai&amp;led</source>
        <translation>Fai&amp;led</translation>
    </message>
    <message>
        <source>Search names and clip titles</source>
        <translation>Search names and clip titles</translation>
    </message>
    <message>
        <source>Search batches</source>
        <translation>Search batches</translation>
    </message>
    <message>
        <source>&amp;Clear finished</source>
        <translation>&amp;Clear finished</translation>
    </message>
    <message>
        <source>Clear finished batches from this list</source>
        <translation>Clear finished batches from this list</translation>
    </message>
    <message>
        <source>Remove the finished batches from this list (the server keeps them)</source>
        <translation>Remove the finished batches from this list (the server keeps them)</translation>
    </message>
    <message>
        <source>Open in &amp;StoryClip</source>
        <extracomment>Where &quot;Open in StoryClip&quot; goes (the settings&apos; web app address).</extracomment>
        <translation>Open in &amp;StoryClip</translation>
    </message>
    <message>
        <source>Open the StoryClip web app in the browser</source>
        <translation>Open the StoryClip web app in the browser</translation>
    </message>
    <message>
        <source>Ctrl+F</source>
        <translation>Ctrl+F</translation>
    </message>
    <message>
        <source>No batch is publishing right now.
Batches you publish from StoryClip appear here while they run.</source>
        <translation>No batch is publishing right now.
Batches you publish from StoryClip appear here while they run.</translation>
    </message>
    <message>
        <source>The selected batch and its clips</source>
        <translation>The selected batch and its clips</translation>
    </message>
    <message>
        <source>Refreshing…</source>
        <translation>Refreshing…</translation>
    </message>
    <message>
        <source>Cannot reach the StoryClip server. Showing the last known state; retrying in the background.</source>
        <translation>Cannot reach the StoryClip server. Showing the last known state; retrying in the background.</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <source>Show</source>
        <translation>Show</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Dismiss</translation>
    </message>
</context>
<context>
    <name>BatchActions</name>
    <message>
        <source>Pa&amp;use</source>
        <translation>Pa&amp;use</translation>
    </message>
    <message>
        <source>Ctrl+P</source>
        <translation>Ctrl+P</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>&amp;Resume</translation>
    </message>
    <message>
        <source>Ca&amp;ncel…</source>
        <translation>Ca&amp;ncel…</translation>
    </message>
    <message>
        <source>Retry &amp;failed</source>
        <translation>Retry &amp;failed</translation>
    </message>
    <message>
        <source>Ctrl+R</source>
        <translation>Ctrl+R</translation>
    </message>
    <message>
        <source>Not known yet whether this server can act on batches.</source>
        <translation>Not known yet whether this server can act on batches.</translation>
    </message>
    <message>
        <source>This server cannot pause, resume, cancel or retry batches: the StoryClip backend it runs answers such requests without doing them.</source>
        <translation>This server cannot pause, resume, cancel or retry batches: the StoryClip backend it runs answers such requests without doing them.</translation>
    </message>
    <message>
        <source>Select a batch first.</source>
        <translation>Select a batch first.</translation>
    </message>
    <message>
        <source>Waiting for the server&apos;s answer…</source>
        <translation>Waiting for the server&apos;s answer…</translation>
    </message>
    <message>
        <source>Only a batch that is publishing can be paused.</source>
        <translation>Only a batch that is publishing can be paused.</translation>
    </message>
    <message>
        <source>Only a paused batch can be resumed.</source>
        <translation>Only a paused batch can be resumed.</translation>
    </message>
    <message>
        <source>This batch has ended: there is nothing left to cancel.</source>
        <translation>This batch has ended: there is nothing left to cancel.</translation>
    </message>
    <message>
        <source>A cancelled batch cannot be retried.</source>
        <translation>A cancelled batch cannot be retried.</translation>
    </message>
    <message>
        <source>No clip of this batch failed.</source>
        <translation>No clip of this batch failed.</translation>
    </message>
    <message>
        <source>Pause publishing after the clip in progress</source>
        <translation>Pause publishing after the clip in progress</translation>
    </message>
    <message>
        <source>Go on publishing this batch</source>
        <translation>Go on publishing this batch</translation>
    </message>
    <message>
        <source>Stop publishing this batch (asks first)</source>
        <translation>Stop publishing this batch (asks first)</translation>
    </message>
    <message>
        <source>Publish this batch&apos;s failed clips again</source>
        <translation>Publish this batch&apos;s failed clips again</translation>
    </message>
    <message>
        <source>Cancel publishing?</source>
        <translation>Cancel publishing?</translation>
    </message>
    <message>
        <source>Cancel publishing %1?</source>
        <translation>Cancel publishing %1?</translation>
    </message>
    <message numerus="yes">
        <source>%n clip(s) already published stay published.</source>
        <translation>
            <numerusform>%n clip already published stays published.</numerusform>
            <numerusform>%n clips already published stay published.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n clip(s) not published yet will not be published.</source>
        <translation>
            <numerusform>%n clip not published yet will not be published.</numerusform>
            <numerusform>%n clips not published yet will not be published.</numerusform>
        </translation>
    </message>
    <message>
        <source>Cancel publishing</source>
        <translation>Cancel publishing</translation>
    </message>
    <message>
        <source>Keep publishing</source>
        <translation>Keep publishing</translation>
    </message>
</context>
<context>
    <name>BatchCard</name>
    <message>
        <source>Server error: %1</source>
        <translation>Server error: %1</translation>
    </message>
    <message>
        <source>No clips</source>
        <translation>No clips</translation>
    </message>
    <message>
        <source>Published: %1 · Failed: %2 · Pending: %3</source>
        <translation>Published: %1 · Failed: %2 · Pending: %3</translation>
    </message>
    <message>
        <source>Published: %1 · Failed: %2 · Not published: %3</source>
        <translation>Published: %1 · Failed: %2 · Not published: %3</translation>
    </message>
    <message>
        <source>Started %1</source>
        <translation>Started %1</translation>
    </message>
    <message>
        <source>Created %1</source>
        <translation>Created %1</translation>
    </message>
    <message>
        <source>Scheduled for %1</source>
        <translation>Scheduled for %1</translation>
    </message>
    <message>
        <source>Ended %1</source>
        <translation>Ended %1</translation>
    </message>
</context>
<context>
    <name>BatchListModel</name>
    <message>
        <source>%1 s</source>
        <extracomment>What the search looks in: the batch&apos;s name, job id and clip titles (lowercase). The row&apos;s batch id.</extracomment>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>Published / failed · total clips</source>
        <translation>Published / failed · total clips</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Progress</translation>
    </message>
    <message>
        <source>Counts</source>
        <translation>Counts</translation>
    </message>
    <message>
        <source>Updates</source>
        <translation>Updates</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Started</translation>
    </message>
    <message>
        <source>Time left</source>
        <translation>Time left</translation>
    </message>
</context>
<context>
    <name>BatchListView</name>
    <message>
        <source>Batches</source>
        <translation>Batches</translation>
    </message>
</context>
<context>
    <name>ClipTableModel</name>
    <message>
        <source>Clip %1</source>
        <translation>Clip %1</translation>
    </message>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Title</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Attempts</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <source>Published</source>
        <translation>Published</translation>
    </message>
</context>
<context>
    <name>ClipTableView</name>
    <message>
        <source>Copy error</source>
        <translation>Copy error</translation>
    </message>
    <message>
        <source>Copy row</source>
        <translation>Copy row</translation>
    </message>
    <message>
        <source>Open the post</source>
        <translation>Open the post</translation>
    </message>
</context>
<context>
    <name>ControlTexts</name>
    <message>
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Resume</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Retry failed</source>
        <translation>Retry failed</translation>
    </message>
    <message>
        <source>this server does not support it, so nothing was asked of it.</source>
        <translation>this server does not support it, so nothing was asked of it.</translation>
    </message>
    <message>
        <source>the server does not know this batch (any more).</source>
        <translation>the server does not know this batch (any more).</translation>
    </message>
    <message>
        <source>the server answered that it was done, but the batch did not change. Try again, or do it in the StoryClip web app.</source>
        <translation>the server answered that it was done, but the batch did not change. Try again, or do it in the StoryClip web app.</translation>
    </message>
    <message>
        <source>the batch&apos;s state does not allow it now. The list shows its state.</source>
        <translation>the batch&apos;s state does not allow it now. The list shows its state.</translation>
    </message>
    <message>
        <source>the server could not be asked; nothing changed. Check the connection and try again.</source>
        <translation>the server could not be asked; nothing changed. Check the connection and try again.</translation>
    </message>
    <message>
        <source>%1 not done: %2</source>
        <translation>%1 not done: %2</translation>
    </message>
</context>
<context>
    <name>DesktopUi</name>
    <message>
        <source>StoryClip Desktop</source>
        <extracomment>Set by the app: what the settings dialog saves and checks through. Set by the app: the servers come from the command line or the environment (then the settings can be saved without them). The question on screen before something is lost (quit, sign out), if any. The session&apos;s listener (core.events.SessionListener): the app hands it to the session; its signals drive the sign-in, settings and first-look views.</extracomment>
        <translation>StoryClip Desktop</translation>
    </message>
    <message>
        <source>This desktop has no system tray, so closing this window quits StoryClip Desktop.</source>
        <translation>This desktop has no system tray, so closing this window quits StoryClip Desktop.</translation>
    </message>
    <message>
        <source>The demo server on this computer stops too.</source>
        <translation>The demo server on this computer stops too.</translation>
    </message>
    <message>
        <source>Quit StoryClip Desktop?</source>
        <translation>Quit StoryClip Desktop?</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>Sign out?</source>
        <translation>Sign out?</translation>
    </message>
    <message>
        <source>&amp;Sign out</source>
        <translation>&amp;Sign out</translation>
    </message>
    <message numerus="yes">
        <source>%n publication(s) are still publishing. The server keeps publishing them, but you get no notices about them until StoryClip Desktop runs again.</source>
        <translation>
            <numerusform>%n publication is still publishing. The server keeps publishing it, but you get no notices about it until StoryClip Desktop runs again.</numerusform>
            <numerusform>%n publications are still publishing. The server keeps publishing them, but you get no notices about them until StoryClip Desktop runs again.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n publication(s) are still publishing. The server keeps publishing them, but you get no notices about them until you sign in again.</source>
        <translation>
            <numerusform>%n publication is still publishing. The server keeps publishing it, but you get no notices about it until you sign in again.</numerusform>
            <numerusform>%n publications are still publishing. The server keeps publishing them, but you get no notices about them until you sign in again.</numerusform>
        </translation>
    </message>
    <message>
        <source>Could not refresh. Check your connection and try again.</source>
        <translation>Could not refresh. Check your connection and try again.</translation>
    </message>
    <message>
        <source>Demo server: sign in as %1 to see its sample batches.</source>
        <translation>Demo server: sign in as %1 to see its sample batches.</translation>
    </message>
    <message>
        <source>Could not open a file manager. The log folder is %1</source>
        <translation>Could not open a file manager. The log folder is %1</translation>
    </message>
    <message>
        <source>Diagnostics copied to the clipboard (keys and tokens removed).</source>
        <translation>Diagnostics copied to the clipboard (keys and tokens removed).</translation>
    </message>
    <message>
        <source>StoryClip Desktop is still running</source>
        <translation>StoryClip Desktop is still running</translation>
    </message>
    <message>
        <source>It keeps following your batches from here. Choose Quit in this menu to close it.</source>
        <translation>It keeps following your batches from here. Choose Quit in this menu to close it.</translation>
    </message>
</context>
<context>
    <name>FiguresChart</name>
    <message>
        <source>Clips published and failed per period</source>
        <translation>Clips published and failed per period</translation>
    </message>
    <message>
        <source>No figures yet</source>
        <translation>No figures yet</translation>
    </message>
</context>
<context>
    <name>HistoryDialog</name>
    <message>
        <source>History — StoryClip</source>
        <translation>History — StoryClip</translation>
    </message>
    <message>
        <source>Ended publications</source>
        <translation>Ended publications</translation>
    </message>
    <message>
        <source>Select a publication to see its clips.</source>
        <translation>Select a publication to see its clips.</translation>
    </message>
    <message>
        <source>Clips of the selected publication</source>
        <translation>Clips of the selected publication</translation>
    </message>
    <message>
        <source>Figures per</source>
        <translation>Figures per</translation>
    </message>
    <message>
        <source>Per day</source>
        <translation>Per day</translation>
    </message>
    <message>
        <source>Per week</source>
        <translation>Per week</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>Export CSV…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>All ended</source>
        <translation>All ended</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Completed</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Failed</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Cancelled</translation>
    </message>
    <message>
        <source>Ended between</source>
        <translation>Ended between</translation>
    </message>
    <message>
        <source>From</source>
        <translation>From</translation>
    </message>
    <message>
        <source>To</source>
        <translation>To</translation>
    </message>
    <message>
        <source>Search names and clip titles</source>
        <translation>Search names and clip titles</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Search</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <source>The history could not be loaded. Try again later.</source>
        <translation>The history could not be loaded. Try again later.</translation>
    </message>
    <message>
        <source>%1 publications loaded</source>
        <translation>%1 publications loaded</translation>
    </message>
    <message>
        <source>This server keeps no history: these are the publications this app saw. Publications that started and ended while the app was not running, or that it never saw, are not here, and their clip titles cannot be searched.</source>
        <translation>This server keeps no history: these are the publications this app saw. Publications that started and ended while the app was not running, or that it never saw, are not here, and their clip titles cannot be searched.</translation>
    </message>
    <message>
        <source>Loading the clips of %1…</source>
        <translation>Loading the clips of %1…</translation>
    </message>
    <message>
        <source>Clips of %1</source>
        <translation>Clips of %1</translation>
    </message>
    <message>
        <source>The clips could not be loaded.</source>
        <translation>The clips could not be loaded.</translation>
    </message>
    <message>
        <source>No ended publications loaded.</source>
        <translation>No ended publications loaded.</translation>
    </message>
    <message>
        <source>%1 publications: %2 clips published, %3 failed, success rate %4%</source>
        <translation>%1 publications: %2 clips published, %3 failed, success rate %4%</translation>
    </message>
    <message>
        <source>Export the history</source>
        <translation>Export the history</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>Exporting…</translation>
    </message>
    <message>
        <source>Exported %1 rows.</source>
        <translation>Exported %1 rows.</translation>
    </message>
    <message>
        <source>The history could not be exported.</source>
        <translation>The history could not be exported.</translation>
    </message>
</context>
<context>
    <name>HistoryTableModel</name>
    <message>
        <source>Publication</source>
        <translation>Publication</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Started</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>Finished</translation>
    </message>
    <message>
        <source>Published</source>
        <translation>Published</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Failed</translation>
    </message>
    <message>
        <source>Clips</source>
        <translation>Clips</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>StoryClip Desktop</source>
        <translation>StoryClip Desktop</translation>
    </message>
    <message>
        <source>&amp;StoryClip</source>
        <extracomment>Closing without a tray asks first (set by the UI, which asks).</extracomment>
        <translation>&amp;StoryClip</translation>
    </message>
    <message>
        <source>&amp;Active batches…</source>
        <translation>&amp;Active batches…</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Refresh</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>Sign &amp;out</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Settings…</translation>
    </message>
    <message>
        <source>&amp;Close window</source>
        <translation>&amp;Close window</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>Open &amp;log folder</source>
        <translation>Open &amp;log folder</translation>
    </message>
    <message>
        <source>&amp;Copy diagnostics</source>
        <translation>&amp;Copy diagnostics</translation>
    </message>
    <message>
        <source>&amp;About StoryClip Desktop</source>
        <translation>&amp;About StoryClip Desktop</translation>
    </message>
    <message>
        <source>%1 — Demo</source>
        <translation>%1 — Demo</translation>
    </message>
    <message>
        <source>Demo server · %1</source>
        <translation>Demo server · %1</translation>
    </message>
    <message>
        <source>Not signed in</source>
        <translation>Not signed in</translation>
    </message>
    <message>
        <source>Cannot reach the StoryClip server — retrying…</source>
        <translation>Cannot reach the StoryClip server — retrying…</translation>
    </message>
    <message>
        <source>Connected — a batch seems stalled on the server</source>
        <translation>Connected — a batch seems stalled on the server</translation>
    </message>
    <message>
        <source>Connected — reconnecting to live updates…</source>
        <translation>Connected — reconnecting to live updates…</translation>
    </message>
    <message>
        <source>Connected — following by polling (server restarted)</source>
        <translation>Connected — following by polling (server restarted)</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Connected</translation>
    </message>
    <message>
        <source>&amp;History…</source>
        <translation>&amp;History…</translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message>
        <source>Open</source>
        <translation>Open</translation>
    </message>
    <message>
        <source>Show failed clips</source>
        <translation>Show failed clips</translation>
    </message>
    <message>
        <source>Retry failed</source>
        <translation>Retry failed</translation>
    </message>
    <message>
        <source>Publishing in progress</source>
        <translation>Publishing in progress</translation>
    </message>
    <message>
        <source>Publishing failed: %1</source>
        <translation>Publishing failed: %1</translation>
    </message>
    <message>
        <source>Publishing cancelled: %1</source>
        <translation>Publishing cancelled: %1</translation>
    </message>
    <message>
        <source>Publishing completed: %1</source>
        <translation>Publishing completed: %1</translation>
    </message>
    <message>
        <source>Could not connect to the server</source>
        <translation>Could not connect to the server</translation>
    </message>
    <message>
        <source>StoryClip Desktop keeps trying and catches up as soon as the server answers.</source>
        <translation>StoryClip Desktop keeps trying and catches up as soon as the server answers.</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>StoryClip Desktop settings</source>
        <translation>StoryClip Desktop settings</translation>
    </message>
    <message>
        <source>Welcome to StoryClip Desktop</source>
        <translation>Welcome to StoryClip Desktop</translation>
    </message>
    <message>
        <source>Tell the app where your StoryClip server is: the addresses and keys come from your StoryClip administrator. Or try the demo, which runs a small StoryClip server on this computer with sample batches.</source>
        <translation>Tell the app where your StoryClip server is: the addresses and keys come from your StoryClip administrator. Or try the demo, which runs a small StoryClip server on this computer with sample batches.</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>General</source>
        <translation>General</translation>
    </message>
    <message>
        <source>Fill in the API URL, the Supabase URL, the anon key and the API key to save, or try the demo.</source>
        <translation>Fill in the API URL, the Supabase URL, the anon key and the API key to save, or try the demo.</translation>
    </message>
    <message>
        <source>Fill in the API URL, the Supabase URL, the anon key and the API key to save.</source>
        <translation>Fill in the API URL, the Supabase URL, the anon key and the API key to save.</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Try the demo</source>
        <translation>Try the demo</translation>
    </message>
    <message>
        <source>Start a local StoryClip server with sample batches and sign in to it</source>
        <translation>Start a local StoryClip server with sample batches and sign in to it</translation>
    </message>
    <message>
        <source>An API key given with --api-key or STORYCLIP_API_KEY is in use; it wins over the one saved here.</source>
        <translation>An API key given with --api-key or STORYCLIP_API_KEY is in use; it wins over the one saved here.</translation>
    </message>
    <message>
        <source>the project&apos;s anon (public) key</source>
        <translation>the project&apos;s anon (public) key</translation>
    </message>
    <message>
        <source>Reading the keyring…</source>
        <translation>Reading the keyring…</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Show</translation>
    </message>
    <message>
        <source>StoryClip API URL</source>
        <translation>StoryClip API URL</translation>
    </message>
    <message>
        <source>Supabase URL</source>
        <translation>Supabase URL</translation>
    </message>
    <message>
        <source>Supabase anon key</source>
        <translation>Supabase anon key</translation>
    </message>
    <message>
        <source>StoryClip API key</source>
        <translation>StoryClip API key</translation>
    </message>
    <message>
        <source>Kept in the system keyring, never in the settings file.</source>
        <translation>Kept in the system keyring, never in the settings file.</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Test connection</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>System language</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Language</translation>
    </message>
    <message>
        <source>StoryClip web app address</source>
        <translation>StoryClip web app address</translation>
    </message>
    <message>
        <source>StoryClip web app</source>
        <translation>StoryClip web app</translation>
    </message>
    <message>
        <source>A new language applies the next time the app starts.</source>
        <translation>A new language applies the next time the app starts.</translation>
    </message>
    <message>
        <source>Start-up</source>
        <translation>Start-up</translation>
    </message>
    <message>
        <source>Start StoryClip Desktop when I log in</source>
        <translation>Start StoryClip Desktop when I log in</translation>
    </message>
    <message>
        <source>Use your system&apos;s settings to start apps at login.</source>
        <translation>Use your system&apos;s settings to start apps at login.</translation>
    </message>
    <message>
        <source>Start minimized to the tray</source>
        <translation>Start minimized to the tray</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>Notifications</translation>
    </message>
    <message>
        <source>&amp;Notify me about:</source>
        <translation>&amp;Notify me about:</translation>
    </message>
    <message>
        <source>Everything</source>
        <translation>Everything</translation>
    </message>
    <message>
        <source>Finished and failed publications</source>
        <translation>Finished and failed publications</translation>
    </message>
    <message>
        <source>Failures only</source>
        <translation>Failures only</translation>
    </message>
    <message>
        <source>Notify me about</source>
        <translation>Notify me about</translation>
    </message>
    <message>
        <source>Publishing in progress when the app starts</source>
        <translation>Publishing in progress when the app starts</translation>
    </message>
    <message>
        <source>A batch finished publishing</source>
        <translation>A batch finished publishing</translation>
    </message>
    <message>
        <source>A batch failed</source>
        <translation>A batch failed</translation>
    </message>
    <message>
        <source>A batch was cancelled</source>
        <translation>A batch was cancelled</translation>
    </message>
    <message>
        <source>The server cannot be reached</source>
        <translation>The server cannot be reached</translation>
    </message>
    <message>
        <source>the key StoryClip gave you</source>
        <translation>the key StoryClip gave you</translation>
    </message>
    <message>
        <source>No system keyring was found, so the API key cannot be saved. Give it with --api-key or STORYCLIP_API_KEY instead.</source>
        <translation>No system keyring was found, so the API key cannot be saved. Give it with --api-key or STORYCLIP_API_KEY instead.</translation>
    </message>
    <message>
        <source>The system keyring is locked. Unlock it (sign in to your desktop again) to save the API key.</source>
        <translation>The system keyring is locked. Unlock it (sign in to your desktop again) to save the API key.</translation>
    </message>
    <message>
        <source>The system keyring could not be used, so the API key cannot be saved.</source>
        <translation>The system keyring could not be used, so the API key cannot be saved.</translation>
    </message>
    <message>
        <source>Use https:// — plain http:// is only allowed for this computer.</source>
        <translation>Use https:// — plain http:// is only allowed for this computer.</translation>
    </message>
    <message>
        <source>Only the address: no ?query, #fragment or user name.</source>
        <translation>Only the address: no ?query, #fragment or user name.</translation>
    </message>
    <message>
        <source>Type an address like https://server.example</source>
        <translation>Type an address like https://server.example</translation>
    </message>
    <message>
        <source>This is too long to be a key.</source>
        <translation>This is too long to be a key.</translation>
    </message>
    <message>
        <source>A key is one word: no spaces or special characters.</source>
        <translation>A key is one word: no spaces or special characters.</translation>
    </message>
    <message>
        <source>Testing the connection…</source>
        <translation>Testing the connection…</translation>
    </message>
    <message>
        <source>The test could not run: %1</source>
        <translation>The test could not run: %1</translation>
    </message>
    <message>
        <source>Sign-in service (Supabase)</source>
        <translation>Sign-in service (Supabase)</translation>
    </message>
    <message>
        <source>StoryClip API</source>
        <translation>StoryClip API</translation>
    </message>
    <message>
        <source>%1: reachable, anon key accepted.</source>
        <translation>%1: reachable, anon key accepted.</translation>
    </message>
    <message>
        <source>%1: reachable, API key accepted.</source>
        <translation>%1: reachable, API key accepted.</translation>
    </message>
    <message>
        <source>%1: no address yet.</source>
        <translation>%1: no address yet.</translation>
    </message>
    <message>
        <source>%1: cannot connect to %2. Check the address and your network.</source>
        <translation>%1: cannot connect to %2. Check the address and your network.</translation>
    </message>
    <message>
        <source>%1: %2 did not answer in time. Check the address and your network.</source>
        <translation>%1: %2 did not answer in time. Check the address and your network.</translation>
    </message>
    <message>
        <source>%1: the secure connection to %2 failed (%3). Check the address, and this computer&apos;s date and time.</source>
        <translation>%1: the secure connection to %2 failed (%3). Check the address, and this computer&apos;s date and time.</translation>
    </message>
    <message>
        <source>%1: %2 answered, but it is not a Supabase project address (HTTP 404). It looks like https://project.supabase.co</source>
        <translation>%1: %2 answered, but it is not a Supabase project address (HTTP 404). It looks like https://project.supabase.co</translation>
    </message>
    <message>
        <source>%1: %2 answered, but not as the StoryClip API (HTTP 404). Use the server&apos;s base address, without /api.</source>
        <translation>%1: %2 answered, but not as the StoryClip API (HTTP 404). Use the server&apos;s base address, without /api.</translation>
    </message>
    <message>
        <source>%1: %2 answered something unexpected (%3). Check the address.</source>
        <translation>%1: %2 answered something unexpected (%3). Check the address.</translation>
    </message>
    <message>
        <source>%1: reachable, but it needs the anon key.</source>
        <translation>%1: reachable, but it needs the anon key.</translation>
    </message>
    <message>
        <source>%1: reachable, but the anon key is wrong. Copy it again from the Supabase project&apos;s API settings.</source>
        <translation>%1: reachable, but the anon key is wrong. Copy it again from the Supabase project&apos;s API settings.</translation>
    </message>
    <message>
        <source>%1: reachable, but it needs the API key.</source>
        <translation>%1: reachable, but it needs the API key.</translation>
    </message>
    <message>
        <source>%1: reachable, but the API key is wrong (INVALID_API_KEY). Check it with your StoryClip administrator.</source>
        <translation>%1: reachable, but the API key is wrong (INVALID_API_KEY). Check it with your StoryClip administrator.</translation>
    </message>
    <message>
        <source>%1: the API key is valid but may not read batches (INSUFFICIENT_SCOPE).</source>
        <translation>%1: the API key is valid but may not read batches (INSUFFICIENT_SCOPE).</translation>
    </message>
    <message>
        <source>%1: too many requests; try again in a minute.</source>
        <translation>%1: too many requests; try again in a minute.</translation>
    </message>
    <message>
        <source>%1: the server has a problem (%3). Try again later.</source>
        <translation>%1: the server has a problem (%3). Try again later.</translation>
    </message>
    <message>
        <source>The start-at-login entry could not be written.</source>
        <translation>The start-at-login entry could not be written.</translation>
    </message>
    <message>
        <source>The other settings were saved.</source>
        <translation>The other settings were saved.</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>The settings could not be saved: %1</source>
        <translation>The settings could not be saved: %1</translation>
    </message>
</context>
<context>
    <name>SignInView</name>
    <message>
        <source>Sign in to StoryClip</source>
        <translation>Sign in to StoryClip</translation>
    </message>
    <message>
        <source>Follow your publishing from the tray, even with every window closed.</source>
        <translation>Follow your publishing from the tray, even with every window closed.</translation>
    </message>
    <message>
        <source>you@example.com</source>
        <translation>you@example.com</translation>
    </message>
    <message>
        <source>There is no StoryClip server set up yet. Set it up with the addresses your StoryClip administrator gave you, or try the demo on this computer.</source>
        <translation>There is no StoryClip server set up yet. Set it up with the addresses your StoryClip administrator gave you, or try the demo on this computer.</translation>
    </message>
    <message>
        <source>&amp;Set up the server…</source>
        <translation>&amp;Set up the server…</translation>
    </message>
    <message>
        <source>&amp;Try the demo</source>
        <translation>&amp;Try the demo</translation>
    </message>
    <message>
        <source>&amp;Email</source>
        <translation>&amp;Email</translation>
    </message>
    <message>
        <source>&amp;Password</source>
        <translation>&amp;Password</translation>
    </message>
    <message>
        <source>&amp;Remember me on this computer</source>
        <translation>&amp;Remember me on this computer</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Sign in</translation>
    </message>
    <message>
        <source>Enter your email and your password.</source>
        <translation>Enter your email and your password.</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Signing in…</translation>
    </message>
    <message>
        <source>StoryClip Desktop tells you when each of your batches finishes.</source>
        <translation>StoryClip Desktop tells you when each of your batches finishes.</translation>
    </message>
</context>
<context>
    <name>Texts</name>
    <message numerus="yes">
        <source>%n batch(es) publishing</source>
        <translation>
            <numerusform>%n batch publishing</numerusform>
            <numerusform>%n batches publishing</numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing publishing</source>
        <translation>Nothing publishing</translation>
    </message>
    <message numerus="yes">
        <source>You have %n publication(s) in progress</source>
        <translation>
            <numerusform>You have %n publication in progress</numerusform>
            <numerusform>You have %n publications in progress</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Clips (%n)</source>
        <translation>
            <numerusform>Clips (%n)</numerusform>
            <numerusform>Clips (%n)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n batch(es) finished</source>
        <translation>
            <numerusform>%n batch finished</numerusform>
            <numerusform>%n batches finished</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n batch(es) failed</source>
        <translation>
            <numerusform>%n batch failed</numerusform>
            <numerusform>%n batches failed</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n clip(s) failed</source>
        <translation>
            <numerusform>%n clip failed</numerusform>
            <numerusform>%n clips failed</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n clip(s) failed.</source>
        <comment>sentence</comment>
        <translation>
            <numerusform>%n clip failed.</numerusform>
            <numerusform>%n clips failed.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>and %n more…</source>
        <translation>
            <numerusform>and %n more…</numerusform>
            <numerusform>and %n more…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Connected — following %n batch(es) live</source>
        <translation>
            <numerusform>Connected — following %n batch live</numerusform>
            <numerusform>Connected — following %n batches live</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n clip(s) done so far.</source>
        <translation>
            <numerusform>%1 of %n clip done so far.</numerusform>
            <numerusform>%1 of %n clips done so far.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 / %n clip(s)</source>
        <translation>
            <numerusform>%1 / %n clip</numerusform>
            <numerusform>%1 / %n clips</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 · %n failed</source>
        <comment>progress</comment>
        <translation>
            <numerusform>%1 · %n failed</numerusform>
            <numerusform>%1 · %n failed</numerusform>
        </translation>
    </message>
    <message>
        <source>The clip was published</source>
        <translation>The clip was published</translation>
    </message>
    <message>
        <source>The clip was not published</source>
        <translation>The clip was not published</translation>
    </message>
    <message numerus="yes">
        <source>%n of %1 clips were published</source>
        <translation>
            <numerusform>%n of %1 clips was published</numerusform>
            <numerusform>%n of %1 clips were published</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1, %n failed</source>
        <comment>published</comment>
        <translation>
            <numerusform>%1, %n failed</numerusform>
            <numerusform>%1, %n failed</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 + %n more</source>
        <comment>batch name</comment>
        <translation>
            <numerusform>%1 + %n more</numerusform>
            <numerusform>%1 + %n more</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n publication(s) finished</source>
        <translation>
            <numerusform>%n publication finished</numerusform>
            <numerusform>%n publications finished</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n clip(s) published</source>
        <translation>
            <numerusform>%n clip published</numerusform>
            <numerusform>%n clips published</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n batch(es) paused</source>
        <translation>
            <numerusform>%n batch paused</numerusform>
            <numerusform>%n batches paused</numerusform>
        </translation>
    </message>
    <message>
        <source>Batch %1</source>
        <translation>Batch %1</translation>
    </message>
    <message>
        <source>Processing</source>
        <translation>Processing</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Completed</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Failed</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Paused</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Cancelled</translation>
    </message>
    <message>
        <source>Unknown (%1)</source>
        <translation>Unknown (%1)</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>Pending</translation>
    </message>
    <message>
        <source>Uploading</source>
        <translation>Uploading</translation>
    </message>
    <message>
        <source>Waiting for confirmation</source>
        <translation>Waiting for confirmation</translation>
    </message>
    <message>
        <source>Scheduling</source>
        <translation>Scheduling</translation>
    </message>
    <message>
        <source>Scheduled</source>
        <translation>Scheduled</translation>
    </message>
    <message>
        <source>Published</source>
        <translation>Published</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>Live</translation>
    </message>
    <message>
        <source>Reconnecting in %1 s</source>
        <translation>Reconnecting in %1 s</translation>
    </message>
    <message>
        <source>Reconnecting…</source>
        <translation>Reconnecting…</translation>
    </message>
    <message>
        <source>Server restarted, following by polling</source>
        <translation>Server restarted, following by polling</translation>
    </message>
    <message>
        <source>Stalled: the server stopped working on this batch</source>
        <translation>Stalled: the server stopped working on this batch</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>Finished</translation>
    </message>
    <message>
        <source>Not following</source>
        <translation>Not following</translation>
    </message>
    <message>
        <source>The email or password is not correct. Check them and try again, or reset your password on the StoryClip website.</source>
        <translation>The email or password is not correct. Check them and try again, or reset your password on the StoryClip website.</translation>
    </message>
    <message>
        <source>Your email address is not confirmed yet. Open the link in the confirmation email from StoryClip, then sign in again.</source>
        <translation>Your email address is not confirmed yet. Open the link in the confirmation email from StoryClip, then sign in again.</translation>
    </message>
    <message>
        <source>Your session has expired. Sign in again to keep following your batches.</source>
        <translation>Your session has expired. Sign in again to keep following your batches.</translation>
    </message>
    <message>
        <source>Too many sign-in attempts. Wait a minute, then try again.</source>
        <translation>Too many sign-in attempts. Wait a minute, then try again.</translation>
    </message>
    <message>
        <source>Could not reach the StoryClip server. Check your internet connection and try again.</source>
        <translation>Could not reach the StoryClip server. Check your internet connection and try again.</translation>
    </message>
    <message>
        <source>The StoryClip server had a problem. Try again in a few minutes.</source>
        <translation>The StoryClip server had a problem. Try again in a few minutes.</translation>
    </message>
    <message>
        <source>Something went wrong while signing in. Try again; if it keeps happening, contact StoryClip support.</source>
        <translation>Something went wrong while signing in. Try again; if it keeps happening, contact StoryClip support.</translation>
    </message>
    <message>
        <source>You were signed out by the server (perhaps from another device). Sign in again.</source>
        <translation>You were signed out by the server (perhaps from another device). Sign in again.</translation>
    </message>
    <message>
        <source>You were signed out because of an error. Sign in again.</source>
        <translation>You were signed out because of an error. Sign in again.</translation>
    </message>
    <message>
        <source>This computer has no password keyring, so your session is kept only until you quit StoryClip Desktop; you will have to sign in again next time.</source>
        <translation>This computer has no password keyring, so your session is kept only until you quit StoryClip Desktop; you will have to sign in again next time.</translation>
    </message>
    <message>
        <source>Your password keyring is locked, so your session is kept only until you quit StoryClip Desktop. Unlock the keyring to stay signed in.</source>
        <translation>Your password keyring is locked, so your session is kept only until you quit StoryClip Desktop. Unlock the keyring to stay signed in.</translation>
    </message>
    <message>
        <source>Your session could not be saved in the password keyring, so it is kept only until you quit StoryClip Desktop.</source>
        <translation>Your session could not be saved in the password keyring, so it is kept only until you quit StoryClip Desktop.</translation>
    </message>
    <message>
        <source>StoryClip Desktop could not read its list of announced batches; it may announce a finished batch again.</source>
        <translation>StoryClip Desktop could not read its list of announced batches; it may announce a finished batch again.</translation>
    </message>
    <message>
        <source>StoryClip Desktop cannot save its list of announced batches; after a restart it may announce a finished batch again.</source>
        <translation>StoryClip Desktop cannot save its list of announced batches; after a restart it may announce a finished batch again.</translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message>
        <source>Open StoryClip</source>
        <extracomment>How many running batches the tray menu lists by name.</extracomment>
        <translation>Open StoryClip</translation>
    </message>
    <message>
        <source>Active batches…</source>
        <translation>Active batches…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Settings…</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>Sign out</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Quit</translation>
    </message>
    <message>
        <source>Not signed in</source>
        <translation>Not signed in</translation>
    </message>
    <message>
        <source>Cannot reach the server</source>
        <translation>Cannot reach the server</translation>
    </message>
    <message>
        <source>%1 — %2 / %3 clips</source>
        <translation>%1 — %2 / %3 clips</translation>
    </message>
    <message>
        <source>StoryClip Desktop — %1</source>
        <translation>StoryClip Desktop — %1</translation>
    </message>
    <message>
        <source>History…</source>
        <translation>History…</translation>
    </message>
</context>
</TS>
